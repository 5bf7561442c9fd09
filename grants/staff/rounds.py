"""Round configuration pages (eligibility checklist, scoring rubric), on the staff blueprint."""
