package dev.errand.emulators;

import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/** ElasticMQ embedded in this JVM: the real SQS API (redrive, long polling, batches) on a local port. */
public final class ElasticMq implements AutoCloseable {

    private final SQSRestServer server;
    private final URI endpoint;

    private ElasticMq(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts on {@code host:port}; port 0 picks a free one. */
    public static ElasticMq start(String host, int port) {
        var builder = SQSRestServerBuilder.withInterface(host).withAWSRegion("us-east-1").withAWSAccountId("000000000000");
        SQSRestServer server = (port == 0 ? builder.withDynamicPort() : builder.withPort(port)).start();
        int bound = server.waitUntilStarted().localAddress().getPort();
        return new ElasticMq(server, URI.create("http://" + host + ":" + bound));
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
