package dev.errand.core.announce;

import dev.errand.core.job.Job;
import java.util.Map;
import java.util.Optional;

/**
 * Where a job's end is announced: its notification job onto the jobs queue, and (when an event bus is
 * configured) one EventBridge event. Either may fail; the caller keeps what carries the duty until both are done.
 */
public interface Announcer {

    /** Announces nothing and puts no events: a deployment without notifications' transport (tests, benchmarks). */
    Announcer NONE = new Announcer() {
        @Override
        public Sent announce(Optional<Job> notification, Optional<Event> event) {
            return notification.isEmpty() ? new Sent.Done() : new Sent.Failed("no queue to send notifications to");
        }

        @Override
        public boolean putsEvents() {
            return false;
        }
    };

    /** One event: its detail-type (Job Succeeded, ...) and detail (the job's end, as a notification reports it). */
    record Event(String detailType, Map<String, Object> detail) {
        public Event {
            detail = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
        }
    }

    Sent announce(Optional<Job> notification, Optional<Event> event);

    /** Whether each final state is also put on an event bus. */
    boolean putsEvents();

    sealed interface Sent {
        record Done() implements Sent {}

        record Failed(String reason) implements Sent {}
    }
}
