package dev.errand.bench.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Talks to the world's control port over a bare socket (HTTP/1.0), so that preparing a batch loads none of
 * the HTTP client classes the consumer is about to use: its first batch stays a fresh JVM's first batch.
 */
public record Control(URI base) {

    public String post(String pathAndQuery) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + pathAndQuery + " HTTP/1.0\r\nHost: " + base.getHost() + "\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int bodyStart = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200") || bodyStart < 0) {
                throw new IOException("the world's control port answered: " + response.lines().findFirst().orElse(""));
            }
            return response.substring(bodyStart + 4);
        }
    }

    /**
     * The provider's process CPU time, calls served, the most calls it held at once since last asked, and the
     * connections that have carried calls so far.
     */
    public record ProviderStats(long cpuNanos, long served, int peakInFlight, int connections) {}

    public ProviderStats stats() throws IOException {
        String[] f = post("/stats").trim().split(" ");
        return new ProviderStats(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
    }
}
