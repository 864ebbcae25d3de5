package dev.errand.core.record;

import dev.errand.core.job.JobRequest;
import dev.errand.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fingerprint of what a job asks for, so a repeated Idempotency-Key can tell "the same request again"
 * from "a different request under a used key". Key order in the body and header-name case do not matter.
 */
public final class RequestHash {

    private RequestHash() {}

    public static String of(JobRequest request) {
        Map<String, String> headers = new TreeMap<>();
        request.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String canonical = String.join("\n",
                request.target(), request.method().name(), request.path(), Json.write(headers),
                request.body().map(Json::canonical).orElse("-"), String.valueOf(request.delaySeconds()));
        return sha256(canonical);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
