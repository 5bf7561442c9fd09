"""Two-factor enrolment, verification and recovery pages, on the auth blueprint."""
