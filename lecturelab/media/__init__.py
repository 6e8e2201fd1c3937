"""Media files, read with PyAV: what a file holds and which audio track to use (probe.py), its audio decoded
to 16 kHz mono on the container's timeline (decode.py), and the audio clips of the quiz exports (clips.py)."""
