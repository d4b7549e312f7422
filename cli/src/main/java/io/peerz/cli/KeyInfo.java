package io.peerz.cli;

/** The public side of a stored key: name, account address, public key and backend. */
record KeyInfo(String name, String address, byte[] publicKey, KeyringBackend backend) {}
