"""The gateway to Twilio's REST API (an interface the sandbox implements too), its circuit breaker and health."""
