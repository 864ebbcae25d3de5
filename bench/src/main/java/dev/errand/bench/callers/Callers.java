package dev.errand.bench.callers;

import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.JdkHttpCaller;
import java.util.List;

/** The HTTP clients the benchmark compares, by name. */
public final class Callers {

    /** Compared in the client suite; {@code jdk} is the shipped caller (HTTP/2 lanes, handshakes bounded). */
    public static final List<String> NAMES = List.of("jdk", "urlconnection", "apache", "crt");

    private Callers() {}

    public static HttpCaller create(String name) {
        return switch (name) {
            case "jdk" -> JdkHttpCaller.bounded();
            // the JDK client left to itself: no bound on handshakes, one HTTP/2 connection per host
            case "jdk-unbounded" -> JdkHttpCaller.unbounded();
            case "urlconnection" -> new UrlConnectionCaller();
            case "apache" -> new ApacheCaller();
            case "crt" -> new CrtCaller();
            default -> throw new IllegalArgumentException("no HTTP client named " + name + "; known: " + NAMES);
        };
    }
}
