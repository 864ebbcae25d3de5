package dev.errand.cli;

import dev.errand.aws.QueueMessage;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.SqsJobQueue;
import dev.errand.cli.Handled.Verdict;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends dead letters back to the jobs queue as fresh jobs (attempts 0, record back to queued) and deletes
 * each from the DLQ only after SQS confirmed its copy. A stop request is honoured between batches, never
 * inside one. A run killed between a send and its delete leaves the dead letter in place; the job record
 * remembers which dead letter it was requeued for and whether that copy was sent, so the next run deletes
 * it without sending it twice.
 */
final class Redrive {

    /** On each copy: the dead letter it was made from, to trace a job through its redrives. */
    static final String REDRIVE_OF = "errand.redriveOf";

    /** Told of each dead letter as soon as it is handled, so output and progress keep up with the run. */
    @FunctionalInterface
    interface Listener {
        void handled(Handled handled);
    }

    /** How a run ended: every dead letter it handled, the named jobs it found no dead letter for, whether a stop cut it short. */
    record Report(List<Handled> handled, Set<JobId> notFound, boolean stopped) {
        Report {
            handled = List.copyOf(handled);
            notFound = Collections.unmodifiableSet(new LinkedHashSet<>(notFound));
        }

        long count(Verdict verdict) {
            return handled.stream().filter(h -> h.verdict() == verdict).count();
        }

        boolean complete() {
            return !stopped && notFound.isEmpty() && count(Verdict.FAILED) == 0;
        }
    }

    private final DeadLetterQueue dlq;
    private final SqsBatches sqs;
    private final String jobsQueueUrl;
    private final JobStore store;
    private final Duration hold;
    private final StopSignal stop;

    Redrive(DeadLetterQueue dlq, SqsBatches sqs, String jobsQueueUrl, JobStore store, Duration hold, StopSignal stop) {
        this.dlq = dlq;
        this.sqs = sqs;
        this.jobsQueueUrl = jobsQueueUrl;
        this.store = store;
        this.hold = hold;
        this.stop = stop;
    }

    Report run(Selection selection, Pace pace, boolean dryRun, Listener listener) {
        return new Run(selection, dryRun, listener).go(pace);
    }

    /** What the decision for one dead letter can be. */
    private sealed interface Step {
        DeadLetter letter();

        /** Redrive it. */
        record Act(DeadLetter letter, Job job) implements Step {}

        /** Selected, but not to be redriven; it stays in the DLQ. */
        record Leave(DeadLetter letter, String why) implements Step {}

        /** Not selected, or already seen in this run; made visible again at the end. */
        record Pass(DeadLetter letter) implements Step {}
    }

    /** What the job record said an act needs: a send then a delete, a delete alone, or neither. */
    private sealed interface Move {
        Step.Act act();

        /** {@code revive}: no record was reset, so the copy carries a reason and the consumer revives the job itself. */
        record Send(Step.Act act, boolean revive) implements Move {}

        record DeleteOnly(Step.Act act, String why) implements Move {}

        record Keep(Step.Act act, String why) implements Move {}
    }

    /** One run's state: what it holds, the copies it sent, the jobs it redrove. */
    private final class Run {
        private final Selection selection;
        private final boolean dryRun;
        private final Listener listener;
        private final Map<String, DeadLetter> held = new LinkedHashMap<>();
        private final Set<String> copies = new HashSet<>();
        private final Set<JobId> redriven = new HashSet<>();
        private final Set<JobId> found = new HashSet<>();
        private final List<Handled> handled = new ArrayList<>();

        Run(Selection selection, boolean dryRun, Listener listener) {
            this.selection = selection;
            this.dryRun = dryRun;
            this.listener = listener;
        }

        Report go(Pace pace) {
            boolean stopped = false;
            while (!selection.complete(found)) {
                if (stop.requested()) {
                    stopped = true;
                    break;
                }
                List<DeadLetter> batch = dlq.receive(pace.batchSize(), hold);
                if (batch.isEmpty()) {
                    break;
                }
                List<Step.Act> acts = decideAll(batch);
                if (!pace.await(acts.size())) {
                    acts.forEach(a -> held.put(a.letter().messageId(), a.letter()));
                    stopped = true;
                    break;
                }
                if (dryRun) {
                    acts.forEach(this::preview);
                } else {
                    redrive(acts);
                }
            }
            dlq.release(List.copyOf(held.values()));
            Set<JobId> notFound = new LinkedHashSet<>(selection instanceof Selection.Jobs jobs ? jobs.ids() : Set.of());
            notFound.removeAll(found);
            return new Report(handled, stopped ? Set.of() : notFound, stopped);
        }

        private List<Step.Act> decideAll(List<DeadLetter> batch) {
            List<Step.Act> acts = new ArrayList<>();
            for (DeadLetter letter : batch) {
                switch (decide(letter)) {
                    case Step.Act act -> {
                        acts.add(act);
                        redriven.add(act.job().id());
                        found.add(act.job().id());
                    }
                    case Step.Leave leave -> {
                        held.put(letter.messageId(), letter);
                        leave.letter().jobId().ifPresent(found::add);
                        report(letter, Verdict.LEFT, leave.why());
                    }
                    case Step.Pass pass -> held.put(letter.messageId(), letter);
                }
            }
            return acts;
        }

        private Step decide(DeadLetter letter) {
            if (held.containsKey(letter.messageId())) {
                return new Step.Pass(letter);
            }
            if (copies.contains(letter.messageId()) || letter.sourceMessageId().filter(copies::contains).isPresent()) {
                return new Step.Leave(letter, "came back during this run: its redriven copy failed again; left for the next run");
            }
            if (!selection.includes(letter)) {
                return new Step.Pass(letter);
            }
            return switch (letter.envelope()) {
                case Envelope.Decoded.Unreadable u -> new Step.Leave(letter,
                        "its envelope cannot be read (" + u.reason() + "); redriven, it would only be dead-lettered again");
                case Envelope.Decoded.Readable r when redriven.contains(r.job().id()) -> new Step.Leave(letter,
                        "another dead letter of this job was redriven in this run");
                case Envelope.Decoded.Readable r -> new Step.Act(letter, r.job());
            };
        }

        private void preview(Step.Act act) {
            held.put(act.letter().messageId(), act.letter());
            boolean succeeded = store.find(act.job().id()) instanceof JobStore.Lookup.Found f && f.record().status() == JobStatus.SUCCEEDED;
            report(act.letter(), succeeded ? Verdict.WOULD_REMOVE : Verdict.WOULD_REDRIVE,
                    succeeded ? "its job already succeeded" : "was: " + act.letter().reason(Optional.empty()));
        }

        private void redrive(List<Step.Act> acts) {
            List<Move> moves = acts.stream().map(this::requeue).toList();
            List<Move.Send> sends = moves.stream().filter(m -> m instanceof Move.Send).map(m -> (Move.Send) m).toList();
            List<Handled> toDelete = new ArrayList<>(send(sends));
            for (Move move : moves) {
                switch (move) {
                    case Move.DeleteOnly d -> toDelete.add(new Handled(d.act().letter(), Verdict.REMOVED, d.why()));
                    case Move.Keep k -> keep(k.act().letter(), k.why());
                    case Move.Send s -> { }
                }
            }
            delete(toDelete);
        }

        /** Resets the record first, so the consumer's first call of the copy is attempt 1 of a fresh schedule. */
        private Move requeue(Step.Act act) {
            return switch (store.requeue(act.job().id(), act.letter().messageId())) {
                case JobStore.Requeue.Requeued r -> new Move.Send(act, false);
                case JobStore.Requeue.AlreadyRequeued a when a.copySent() ->
                        new Move.DeleteOnly(act, "an earlier, interrupted run already sent its copy");
                case JobStore.Requeue.AlreadyRequeued a -> new Move.Send(act, false);
                case JobStore.Requeue.AlreadySucceeded s -> new Move.DeleteOnly(act, "its job already succeeded; nothing to send");
                case JobStore.Requeue.Refused r -> new Move.Keep(act, "its job record refuses a redrive: " + r.why().reason());
                case JobStore.Requeue.NoRecord n -> new Move.Send(act, true);
                case JobStore.Requeue.Unavailable u -> new Move.Keep(act, "its job record could not be reset (" + u.reason() + ")");
            };
        }

        /** Sends the copies; answers the dead letters whose copy SQS confirmed, to be deleted. */
        private List<Handled> send(List<Move.Send> sends) {
            List<SqsBatches.Result> results = sqs.send(jobsQueueUrl, sends.stream().map(Redrive::copy).toList());
            List<Handled> sent = new ArrayList<>();
            for (int i = 0; i < sends.size(); i++) {
                Step.Act act = sends.get(i).act();
                switch (results.get(i)) {
                    case SqsBatches.Result.Done d -> {
                        copies.add(d.messageId());
                        noteSent(act);
                        sent.add(new Handled(act.letter(), Verdict.REDRIVEN, "was: " + act.letter().reason(Optional.empty())));
                    }
                    case SqsBatches.Result.Failed f -> keep(act.letter(), "not sent to the jobs queue (" + f.detail() + ")");
                }
            }
            return sent;
        }

        /** A record that cannot note the send only costs a re-run a second copy, which the consumer then skips. */
        private void noteSent(Step.Act act) {
            store.redriveSent(act.job().id(), act.letter().messageId());
        }

        private void delete(List<Handled> done) {
            List<SqsBatches.Result> results = dlq.delete(done.stream().map(Handled::letter).toList());
            for (int i = 0; i < done.size(); i++) {
                Handled h = done.get(i);
                switch (results.get(i)) {
                    case SqsBatches.Result.Done d -> report(h.letter(), h.verdict(), h.detail());
                    case SqsBatches.Result.Failed f -> keep(h.letter(), "its copy is on the jobs queue, but it was not deleted from the DLQ ("
                            + f.detail() + "); " + (store.enabled() ? "the next run sees from the job record that the copy was sent, and only deletes it"
                            : "without job records the next run sends it again, and the provider gets the job's Idempotency-Key twice"));
                }
            }
        }

        private void keep(DeadLetter letter, String why) {
            held.put(letter.messageId(), letter);
            report(letter, Verdict.FAILED, why + "; still in the dead-letter queue");
        }

        private void report(DeadLetter letter, Verdict verdict, String detail) {
            Handled h = new Handled(letter, verdict, detail);
            handled.add(h);
            listener.handled(h);
        }
    }

    /** A fresh message for the job: attempts 0, the job's id and target as attributes, sent at once. */
    private static QueueMessage copy(Move.Send send) {
        DeadLetter letter = send.act().letter();
        QueueMessage fresh = SqsJobQueue.message(send.act().job().withPriorAttempts(0), 0);
        Map<String, String> attributes = new LinkedHashMap<>(fresh.attributes());
        attributes.put(REDRIVE_OF, letter.messageId());
        if (send.revive()) {
            // the consumer treats a message carrying a reason as redriven: it may revive a failed or dead record
            attributes.put(DeadLetter.REASON, letter.reason(Optional.empty()));
        }
        return new QueueMessage(fresh.body(), attributes, 0, fresh.group());
    }
}
