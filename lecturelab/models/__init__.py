"""The keyphrase model: a TF BERT-family token classifier built from config (factory.py) and the inference
wrapper the lecture processor uses (tagger.py)."""
