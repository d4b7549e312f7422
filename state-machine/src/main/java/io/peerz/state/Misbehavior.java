package io.peerz.state;

/**
 * A validator's proven duplicate vote, as consensus found it in the block's evidence: the
 * validator's consensus address (20 bytes), the height of the offence and its power then.
 */
public record Misbehavior(byte[] validatorAddress, long height, long power) {}
