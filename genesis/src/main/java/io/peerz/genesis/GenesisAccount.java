package io.peerz.genesis;

/** An account funded at genesis: {@code 0x} + 40 hex digits and a balance in base units. */
public record GenesisAccount(String address, long balance) {}
