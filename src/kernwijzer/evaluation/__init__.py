"""Question files, the evaluation run and its metrics, reports, and answerability calibration."""
