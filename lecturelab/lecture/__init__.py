"""The lecture processor: media -> Whisper transcript -> sentences, keyphrases, chapters -> pages and
subtitles (pipeline.py is the entry; course.py the course site; review.py / apply.py the teacher's loop)."""
