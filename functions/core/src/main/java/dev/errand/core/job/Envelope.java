package dev.errand.core.job;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.errand.core.json.Json;
import dev.errand.core.validation.FieldError;
import dev.errand.core.validation.JobRequestReader;
import dev.errand.core.validation.Pointer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The queue message for a job, version 1:
 * {@code {"v":1,"jobId":"…","submittedAt":"…","attempts":0,"request":{"target":…,"method":…,"path":…,"headers":{…},"body":…}}}.
 * {@code attempts} counts calls made before this copy of the message was sent. Copies the consumer re-sends
 * may also carry {@code "deferredSince": "<instant>"} (a deferred copy) or
 * {@code "verdict": {"reason": "…", "exhausted": false}} (a copy whose dead letter could not be sent); a
 * notification job carries {@code "notifies": "<jobId>"}. The request holds {@code runAt} or {@code delaySeconds}.
 */
public final class Envelope {

    public static final int VERSION = 1;

    private static final JobRequestReader REQUEST_SHAPE = JobRequestReader.forQueuedMessages();

    private Envelope() {}

    /** A message read back from the queue. */
    public sealed interface Decoded {
        record Readable(Job job) implements Decoded {}

        /** The message cannot be a job; {@code jobId} is named when at least that much could be read. */
        record Unreadable(String reason, Optional<JobId> jobId) implements Decoded {}
    }

    public static String encode(Job job) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.generator(out)) {
            JobRequest r = job.request();
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("jobId", job.id().value());
            g.writeStringField("submittedAt", job.submittedAt().toString());
            g.writeNumberField("attempts", job.priorAttempts());
            if (job.deferredSince().isPresent()) {
                g.writeStringField("deferredSince", job.deferredSince().get().toString());
            }
            if (job.notifies().isPresent()) {
                g.writeStringField("notifies", job.notifies().get().value());
            }
            if (job.verdict().isPresent()) {
                g.writeObjectFieldStart("verdict");
                g.writeStringField("reason", job.verdict().get().reason());
                g.writeBooleanField("exhausted", job.verdict().get().exhausted());
                g.writeEndObject();
            }
            g.writeObjectFieldStart("request");
            g.writeStringField("target", r.target());
            g.writeStringField("method", r.method().name());
            g.writeStringField("path", r.path());
            g.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
            if (r.body().isPresent()) {
                g.writeFieldName("body");
                g.writeRawValue(r.body().get());
            }
            if (r.runAt().isPresent()) {
                g.writeStringField("runAt", r.runAt().get().toString());
            } else {
                g.writeNumberField("delaySeconds", r.delaySeconds());
            }
            if (r.notifyTo().isPresent()) {
                Notify n = r.notifyTo().get();
                g.writeObjectFieldStart("notify");
                g.writeStringField("target", n.target());
                g.writeStringField("path", n.path());
                g.writeArrayFieldStart("on");
                for (String state : n.onWire()) {
                    g.writeString(state);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static Decoded decode(String message) {
        return switch (Json.parse(message)) {
            case Json.Parsed.Malformed m -> new Decoded.Unreadable("not JSON: " + m.detail(), Optional.empty());
            case Json.Parsed.Value v when v.value() instanceof Map<?, ?> fields -> decode(fields);
            case Json.Parsed.Value v -> new Decoded.Unreadable("not a job envelope: a JSON " + Json.typeName(v.value()), Optional.empty());
        };
    }

    private static Decoded decode(Map<?, ?> fields) {
        Optional<JobId> id = fields.get("jobId") instanceof String s ? JobId.parse(s) : Optional.empty();
        OptionalLong version = Json.integer(fields.get("v"));
        if (version.isEmpty() || version.getAsLong() != VERSION) {
            return new Decoded.Unreadable("unsupported envelope version " + fields.get("v") + "; this consumer reads version " + VERSION, id);
        }
        if (id.isEmpty()) {
            return new Decoded.Unreadable("jobId is missing or not a UUIDv7", id);
        }
        Optional<Instant> submittedAt = fields.get("submittedAt") instanceof String s ? instant(s) : Optional.empty();
        if (submittedAt.isEmpty()) {
            return new Decoded.Unreadable("submittedAt is missing or not an ISO-8601 instant", id);
        }
        OptionalLong attempts = Json.integer(fields.get("attempts"));
        if (attempts.isEmpty() || attempts.getAsLong() < 0 || attempts.getAsLong() > Integer.MAX_VALUE) {
            return new Decoded.Unreadable("attempts is missing or not a whole number of zero or more", id);
        }
        Optional<Instant> deferredSince = fields.get("deferredSince") instanceof String s ? instant(s) : Optional.empty();
        if (fields.containsKey("deferredSince") && deferredSince.isEmpty()) {
            return new Decoded.Unreadable("deferredSince is not an ISO-8601 instant", id);
        }
        Optional<Job.FinalVerdict> verdict = verdict(fields.get("verdict"));
        if (fields.containsKey("verdict") && verdict.isEmpty()) {
            return new Decoded.Unreadable("verdict must be an object with a string \"reason\" and a boolean \"exhausted\"", id);
        }
        Optional<JobId> notifies = fields.get("notifies") instanceof String s ? JobId.parse(s) : Optional.empty();
        if (fields.containsKey("notifies") && notifies.isEmpty()) {
            return new Decoded.Unreadable("notifies is not a job id", id);
        }
        return switch (REQUEST_SHAPE.read(fields.get("request"), Pointer.ROOT.child("request"))) {
            case JobRequestReader.Read.Ok ok -> new Decoded.Readable(new Job(id.get(), ok.request(), submittedAt.get(),
                    (int) attempts.getAsLong(), deferredSince, verdict, notifies));
            case JobRequestReader.Read.Invalid invalid -> new Decoded.Unreadable(invalid.errors().stream()
                    .map(Envelope::describe).collect(Collectors.joining("; ")), id);
        };
    }

    private static Optional<Job.FinalVerdict> verdict(Object node) {
        return node instanceof Map<?, ?> v && v.get("reason") instanceof String reason && v.get("exhausted") instanceof Boolean exhausted
                ? Optional.of(new Job.FinalVerdict(reason, exhausted))
                : Optional.empty();
    }

    private static String describe(FieldError e) {
        return e.pointer() + " " + e.detail();
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
