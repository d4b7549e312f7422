package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;

/** What executing one block produced: a result per tx, end-of-block events and the writes. */
public record BlockOutcome(
    List<TxResult> txResults,
    List<Event> finalizeEvents,
    List<ValidatorUpdate> validatorUpdates,
    ChangeSet changes) {}
