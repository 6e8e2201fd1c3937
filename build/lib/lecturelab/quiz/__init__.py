"""Quizzes from a processed lecture: rule-based (or LLM) questions, exported for teachers' tools.

``write_quiz(lecture_dir, quiz_cfg)`` is the one entry point the lecture processor and the
``lecturelab quiz`` command call.
"""

from lecturelab.quiz.make import make_quiz, write_quiz

__all__ = ["make_quiz", "write_quiz"]
