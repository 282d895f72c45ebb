"""Developer tools: topic bootstrap, local process runner, telematics simulator."""
