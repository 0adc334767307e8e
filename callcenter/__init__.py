"""The call center domain, one package per room (see the README's map).

Channels (ivr/, sandbox/) call into it; it never imports them."""
