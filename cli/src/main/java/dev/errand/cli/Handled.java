package dev.errand.cli;

/** What a redrive did with one dead letter, and why. */
record Handled(DeadLetter letter, Verdict verdict, String detail) {

    enum Verdict {
        /** Sent back to the jobs queue, record requeued, deleted from the DLQ. */
        REDRIVEN("redriven"),
        /** Deleted without a send: its job already succeeded, or an earlier run already sent its copy. */
        REMOVED("removed"),
        /** Deliberately not touched; still in the DLQ. */
        LEFT("left"),
        /** Something failed; still in the DLQ (or, if only its delete failed, recognised by the next run). */
        FAILED("failed"),
        WOULD_REDRIVE("would redrive"),
        WOULD_REMOVE("would remove");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }
}
