"""The Hydra configs of lecturelab (a package, so Hydra finds them as pkg://lecturelab.conf when a
command such as `lecturelab train` imports its app module from the console script)."""
