package dev.errand.core.delivery;

import dev.errand.core.job.Job;
import java.util.Optional;

/**
 * One message's fate in a batch. {@code callsMade} counts every call made for the job so far, this
 * receive's included, and is what a re-sent or dead-lettered copy carries. {@code status} is the HTTP
 * status of this receive's call, when one was made and answered.
 */
public record Settled(IncomingMessage message, Optional<Job> job, int callsMade, Outcome outcome, Optional<Integer> status) {}
