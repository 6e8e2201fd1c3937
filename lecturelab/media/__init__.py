"""Media files: probe and track choice, decoding to 16 kHz mono on the container's timeline, chunks, and the
audio clips of the quiz exports (audio.py, PyAV)."""
