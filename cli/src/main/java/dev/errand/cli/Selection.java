package dev.errand.cli;

import dev.errand.core.job.JobId;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Which dead letters a redrive takes: all of them, or those of the named jobs. */
sealed interface Selection {

    boolean includes(DeadLetter letter);

    /** True when nothing more can be found, so the scan may stop early. */
    boolean complete(Set<JobId> found);

    record All() implements Selection {
        @Override
        public boolean includes(DeadLetter letter) {
            return true;
        }

        @Override
        public boolean complete(Set<JobId> found) {
            return false;
        }
    }

    record Jobs(Set<JobId> ids) implements Selection {
        public Jobs {
            ids = Collections.unmodifiableSet(new LinkedHashSet<>(ids));
        }

        static Jobs of(Collection<JobId> ids) {
            return new Jobs(new LinkedHashSet<>(ids));
        }

        @Override
        public boolean includes(DeadLetter letter) {
            return letter.jobId().filter(ids::contains).isPresent();
        }

        @Override
        public boolean complete(Set<JobId> found) {
            return found.containsAll(ids);
        }
    }
}
