package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;

/** The initial state written by InitChain, and the validator set it settles on. */
public record GenesisOutcome(ChangeSet changes, List<ValidatorUpdate> validators) {}
