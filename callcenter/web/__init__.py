"""The pages' shell: login, logout and home, the base template, security headers, the HTTP boundary."""
