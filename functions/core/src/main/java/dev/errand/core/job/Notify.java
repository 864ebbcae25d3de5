package dev.errand.core.job;

import dev.errand.core.record.JobStatus;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Where to report a job's end: one POST of the job's final state to {@code target} + {@code path}, when the
 * job reaches one of the {@code on} states. The report is itself a job (its own id, retries, dead-letter queue).
 */
public record Notify(String target, String path, Set<JobStatus> on) {

    /** The states a notification may be asked for: the final ones. */
    public static final List<JobStatus> STATES = List.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED);

    public Notify {
        on = on.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(on));
    }

    /** Every final state: what {@code on} means when it is left out. */
    public static Set<JobStatus> all() {
        return Set.copyOf(STATES);
    }

    public boolean wants(JobStatus status) {
        return on.contains(status);
    }

    /** The states in a stable order (the table's), for the wire and for records. */
    public List<String> onWire() {
        return STATES.stream().filter(on::contains).map(JobStatus::wire).toList();
    }
}
