"""E-mail as a second channel (issue 15): intake over IMAP, answers over SMTP, the same tickets and desk."""
