"""The assistant's engine for any OpenAI-compatible chat-completions endpoint with tool calling
(hosted providers, llama.cpp, vLLM, Ollama): client.py speaks the protocol, engine.py runs the
tool rounds of one turn."""
