package dev.errand.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The world (provider, ElasticMQ, control port) running in its own JVM; closing it ends the process. */
public final class WorldProcess implements AutoCloseable {

    private final Process process;
    private final Map<String, URI> urls = new HashMap<>();

    public WorldProcess(Jvm jvm, Path log) throws IOException {
        process = new ProcessBuilder(jvm.command(List.of("-Xmx1g"), "dev.errand.bench.world.World", List.of()))
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("WORLD ")) {
            // ElasticMQ may print before the world is ready
        }
        if (line == null) {
            throw new IOException("the world process did not start; see " + log);
        }
        for (String pair : line.substring("WORLD ".length()).split(" ")) {
            int eq = pair.indexOf('=');
            urls.put(pair.substring(0, eq), URI.create(pair.substring(eq + 1)));
        }
    }

    public URI provider() {
        return urls.get("provider");
    }

    /** Plain HTTP: for the client comparison only. */
    public URI plainProvider() {
        return urls.get("plainProvider");
    }

    /** The JVM options that make a child trust the world's HTTPS provider (its CA is made in the world's JVM). */
    public List<String> trustOptions() {
        return dev.errand.testkit.TestCa.jvmOptions(java.nio.file.Path.of(urls.get("truststore")));
    }

    public URI sqs() {
        return urls.get("sqs");
    }

    public URI control() {
        return urls.get("control");
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
