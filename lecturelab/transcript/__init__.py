"""The lecture document both products work on: ``transcript.json`` and ``keyphrases.json`` of a lecture folder.

schema.py its typed shape; document.py the one writer and the one reader; sentences.py sentences with times;
format.py the one time format; manifest.py what the machine wrote in a lecture folder (``outputs.sha256``)
and so what a person made there. Below `lecturelab.quiz` and `lecturelab.lecture`, which never define it again.
"""
