// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

/**
 * A change another process (the {@code queue} CLI) asks the server to make to its spool, through a
 * file in {@code control/} (see {@link SpoolControl}). Each is idempotent: applying one twice, as
 * may happen after a crash, does no harm.
 */
public sealed interface ControlRequest
    permits ControlRequest.Remove,
        ControlRequest.RetryNow,
        ControlRequest.RetryAll,
        ControlRequest.Bounce {

  /** The wire tag of this request in the request file ({@code "op"}). */
  String op();

  /** Applies this request to {@code spool}; returns the one-line result for the requester. */
  String applyTo(Spool spool) throws SpoolException;

  /** Delete one entry without delivering it further. */
  record Remove(QueueId id) implements ControlRequest {
    public Remove {
      if (id == null) {
        throw new IllegalArgumentException("Remove: id must not be null");
      }
    }

    @Override
    public String op() {
      return "remove";
    }

    @Override
    public String applyTo(Spool spool) throws SpoolException {
      spool.remove(id);
      return "ok removed " + id;
    }
  }

  /** Make one entry due now. */
  record RetryNow(QueueId id) implements ControlRequest {
    public RetryNow {
      if (id == null) {
        throw new IllegalArgumentException("RetryNow: id must not be null");
      }
    }

    @Override
    public String op() {
      return "retry";
    }

    @Override
    public String applyTo(Spool spool) throws SpoolException {
      spool.reschedule(id, spool.now());
      return "ok retry " + id;
    }
  }

  /** Make every entry due now (a queue flush). */
  record RetryAll() implements ControlRequest {
    @Override
    public String op() {
      return "retry-all";
    }

    @Override
    public String applyTo(Spool spool) throws SpoolException {
      int n = 0;
      for (SpoolEntry e : spool.list()) {
        try {
          spool.reschedule(e.id(), spool.now());
          n++;
        } catch (SpoolException.NoSuchEntry gone) {
          // delivered and removed meanwhile
        }
      }
      return "ok retry " + n + " entries";
    }
  }

  /**
   * Fail every pending recipient of one entry now and send its sender the DSN. The spool only marks
   * the entry ({@link Spool#requestBounce}); the delivery worker fails and reports on its next
   * pass, so the DSN is signed and stored like any other message.
   */
  record Bounce(QueueId id) implements ControlRequest {
    public Bounce {
      if (id == null) {
        throw new IllegalArgumentException("Bounce: id must not be null");
      }
    }

    @Override
    public String op() {
      return "bounce";
    }

    @Override
    public String applyTo(Spool spool) throws SpoolException {
      SpoolEntry e = spool.requestBounce(id);
      return "ok bounce "
          + id
          + ": "
          + e.pending().size()
          + " pending recipient(s) fail on the next delivery pass"
          + (e.bounce() || e.sender().isEmpty()
              ? " (null sender: no DSN)"
              : ", DSN to <" + e.sender() + ">");
    }
  }
}
