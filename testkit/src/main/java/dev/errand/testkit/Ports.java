package dev.errand.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for tests. */
public final class Ports {

    private Ports() {}

    /** A port nothing listens on (it was free a moment ago): calls to it are refused. */
    public static int closed() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
