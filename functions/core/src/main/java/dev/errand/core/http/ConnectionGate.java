package dev.errand.core.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the TLS handshakes in progress to one host, so a cold container's first large batch does not spend
 * its CPU on hundreds of handshakes at once until calls time out (a fresh JVM's 1,000 concurrent calls to one
 * host on 2 cores: 304 succeeded). A call is let through only while fewer than {@link #MAX_OPENING} of the
 * host's calls may be opening a connection; the rest wait for a pooled or multiplexed connection. What each
 * call turned out to do is learned from {@link WatchedSslContext}: it opened a connection, or wrote its
 * request on one that had already carried an answer.
 *
 * <p>HTTP/2 multiplexes: once the host is known to speak it, calls go as streams on a lane's connection, up
 * to {@link #DEFAULT_STREAMS} each (fewer once the server refuses more); a further lane (another HTTP
 * client, hence another connection) is opened, within the same bound, when the calls waiting outnumber the
 * room on the connections there are.
 */
public final class ConnectionGate {

    /**
     * Handshakes in progress to one host. A TLS handshake costs a few ms of CPU warm and several times that in
     * a fresh JVM; a 512 MB Lambda has about 0.3 of a core, so 8 at once finish in tens of ms while the rest
     * wait for them instead of all timing out together.
     */
    static final int MAX_OPENING = 8;
    /** RFC 9113 6.5.2 recommends servers allow at least 100 concurrent streams; lower is learned from a refusal. */
    static final int DEFAULT_STREAMS = 100;
    /** Waiting calls look again at least this often, whatever wakes them. */
    static final Duration RECHECK = Duration.ofMillis(50);
    /**
     * The JDK client closes an idle connection after 30 s (jdk.httpclient.keepalive.timeout) and may not say so;
     * a lane unused for 20 s is not trusted to hold a connection until a call proves it again.
     */
    static final Duration STALE_AFTER = Duration.ofSeconds(20);

    enum Protocol { UNKNOWN, HTTP_1_1, HTTP_2 }

    /** Leave to send one call, on one lane; the ticket is held until the call has opened or reused a connection. */
    public record Pass(Destination destination, int lane, Optional<Ticket> ticket, boolean stream) {}

    /** A call that may be opening a connection: until it is known whether it did, then while its handshake runs. */
    public static final class Ticket {
        private boolean resolved;
    }

    private final int lanes;
    private final Clock clock;
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong unplanned = new AtomicLong();

    /** @param lanes how many HTTP clients (and so HTTP/2 connections per host) there are to spread over */
    ConnectionGate(int lanes, Clock clock) {
        this.lanes = lanes;
        this.clock = clock;
    }

    /** Connections opened so far, to every host. */
    long opened() {
        return opened.get();
    }

    /** Connections the HTTP client opened for calls that were expected to reuse one (a stale guess). */
    long unplanned() {
        return unplanned.get();
    }

    /** Waits up to {@code maxWait} for leave to call {@code authority} (host:port); empty when none came in time. */
    public Optional<Pass> enter(String authority, Duration maxWait) {
        return destination(authority).enter(maxWait);
    }

    public void exit(Pass pass, boolean answeredWithHttp2, boolean refusedForStreams) {
        pass.destination().exit(pass, answeredWithHttp2, refusedForStreams);
    }

    /** The listener for lane {@code lane}'s TLS connections. */
    WatchedSslContext.Listener listener(int lane) {
        return new WatchedSslContext.Listener() {
            @Override
            public void opened(String authority) {
                ConnectionGate.this.opened.incrementAndGet();
                destination(authority).opened(lane);
            }

            @Override
            public void established(String authority, String applicationProtocol) {
                destination(authority).established(lane, applicationProtocol);
            }

            @Override
            public void reused(String authority) {
                destination(authority).reused(lane);
            }

            @Override
            public void firstRequest(String authority) {
                destination(authority).firstRequest(lane);
            }

            @Override
            public void failed(String authority) {
                destination(authority).failed(lane);
            }
        };
    }

    private Destination destination(String authority) {
        return destinations.computeIfAbsent(authority, a -> new Destination());
    }

    /** One lane's view of a host: its connection(s) and the calls on them. */
    private static final class Lane {
        /**
         * Calls whose connection is being opened, oldest first. A call that ends leaves it too, whatever its
         * handshake did: a connection refused before any handshake says nothing to the TLS engine.
         */
        final ArrayDeque<Ticket> handshaking = new ArrayDeque<>();
        /** Calls let through that have not yet opened or reused a connection, oldest first. */
        final ArrayDeque<Ticket> unresolved = new ArrayDeque<>();
        /** Calls in flight. */
        int inFlight;
        /** An HTTP/2 connection is being opened or is open on this lane. */
        boolean http2;
        /**
         * It is known to be in the JDK client's pool: its first request was written, an answer came over it, or a
         * request was written on it after an earlier answer. Until then a call sent here could open its own.
         */
        boolean confirmed;
        Instant lastUsed = Instant.MIN;

        int mayBeOpening() {
            return handshaking.size() + unresolved.size();
        }
    }

    /** Everything known about one host, under one lock. */
    public final class Destination {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final Lane[] byLane;
        private Protocol protocol = Protocol.UNKNOWN;
        private int streamsPerConnection = DEFAULT_STREAMS;
        /** Calls waiting in {@link #enter}: the demand that decides whether another lane's connection is worth opening. */
        private int waiting;

        Destination() {
            byLane = new Lane[lanes];
            for (int i = 0; i < lanes; i++) {
                byLane[i] = new Lane();
            }
        }

        Optional<Pass> enter(Duration maxWait) {
            long end = System.nanoTime() + maxWait.toNanos();
            lock.lock();
            try {
                while (true) {
                    Instant now = clock.instant();
                    Optional<Pass> pass = protocol == Protocol.HTTP_2 ? multiplexed(now) : single(now);
                    if (pass.isPresent()) {
                        return pass;
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    waiting++;
                    try {
                        changed.await(Math.min(left, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
                    } finally {
                        waiting--;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } finally {
                lock.unlock();
            }
        }

        /**
         * HTTP/1.1, or a host not yet known: lane 0, every call with a ticket. While the protocol is unknown up to
         * the bound go at once (over HTTP/2 all but one of their connections carry a single stream and close):
         * sending one alone would hold every other call behind its handshake.
         */
        private Optional<Pass> single(Instant now) {
            Lane lane = byLane[0];
            if (lane.mayBeOpening() >= MAX_OPENING) {
                return Optional.empty();
            }
            return Optional.of(admit(lane, 0, true, false, now));
        }

        /**
         * HTTP/2: a stream on a lane whose connection is known to be pooled and has room; else, when the calls
         * waiting outnumber the room on the connections open or opening, one call opens a further lane's
         * connection (within the bound). The JDK client pools a new connection after its handshake and before
         * it writes the first request on it, so a new connection takes its other streams from that moment.
         */
        private Optional<Pass> multiplexed(Instant now) {
            int opening = 0;
            int room = 0;
            for (Lane lane : byLane) {
                if (lane.confirmed && lane.inFlight == 0 && now.isAfter(lane.lastUsed.plus(STALE_AFTER))) {
                    // the JDK may have closed it meanwhile: the next call on this lane proves it, one way or the other
                    lane.confirmed = false;
                    lane.http2 = false;
                }
                opening += lane.mayBeOpening();
                if (lane.http2) {
                    room += Math.max(0, streamsPerConnection - lane.inFlight);
                }
            }
            for (int i = 0; i < byLane.length; i++) {
                Lane lane = byLane[i];
                if (lane.confirmed && lane.inFlight < streamsPerConnection) {
                    return Optional.of(admit(lane, i, false, true, now));
                }
            }
            if (opening >= MAX_OPENING || room > waiting) {
                return Optional.empty();
            }
            for (int i = 0; i < byLane.length; i++) {
                Lane lane = byLane[i];
                if (!lane.http2 && lane.mayBeOpening() == 0) {
                    lane.http2 = true;
                    return Optional.of(admit(lane, i, true, true, now));
                }
            }
            return Optional.empty();
        }

        private Pass admit(Lane lane, int index, boolean withTicket, boolean stream, Instant now) {
            lane.inFlight++;
            lane.lastUsed = now;
            Optional<Ticket> ticket = Optional.empty();
            if (withTicket) {
                Ticket t = new Ticket();
                lane.unresolved.addLast(t);
                ticket = Optional.of(t);
            }
            return new Pass(this, index, ticket, stream);
        }

        void exit(Pass pass, boolean answeredWithHttp2, boolean refusedForStreams) {
            changing(() -> {
                Lane lane = byLane[pass.lane()];
                pass.ticket().ifPresent(t -> {
                    t.resolved = true;
                    lane.unresolved.remove(t);
                    lane.handshaking.remove(t);
                });
                if (refusedForStreams) {
                    // the JDK client refuses a stream beyond the server's limit rather than opening another connection
                    streamsPerConnection = Math.max(1, lane.inFlight - 1);
                }
                lane.inFlight--;
                if (answeredWithHttp2) {
                    protocol = Protocol.HTTP_2;
                    lane.http2 = true;
                    lane.confirmed = true;
                    lane.lastUsed = clock.instant();
                } else if (pass.stream() && pass.ticket().isPresent() && !lane.confirmed && lane.inFlight == 0) {
                    // the call that was to open this lane's connection got no HTTP/2 answer: let another try
                    lane.http2 = false;
                }
            });
        }

        void opened(int index) {
            changing(() -> {
                Lane lane = byLane[index];
                Ticket ticket = lane.unresolved.pollFirst();
                if (ticket == null) {
                    unplanned.incrementAndGet();
                    // the client found no connection where one was thought to be: trust none on this lane until proven
                    lane.confirmed = false;
                } else {
                    ticket.resolved = true;
                    lane.handshaking.addLast(ticket);
                }
            });
        }

        void established(int index, String applicationProtocol) {
            changing(() -> {
                Lane lane = byLane[index];
                lane.handshaking.pollFirst();
                if (applicationProtocol.equals("h2")) {
                    protocol = Protocol.HTTP_2;
                    lane.http2 = true;
                    lane.lastUsed = clock.instant();
                } else if (protocol == Protocol.UNKNOWN) {
                    protocol = Protocol.HTTP_1_1;
                }
            });
        }

        void reused(int index) {
            changing(() -> {
                Lane lane = byLane[index];
                Ticket ticket = lane.unresolved.pollFirst();
                if (ticket != null) {
                    ticket.resolved = true;
                    if (protocol == Protocol.HTTP_2) {
                        // the call sent to prove a quiet lane wrote its request on the connection already there: it is pooled
                        confirm(lane);
                    }
                }
            });
        }

        void firstRequest(int index) {
            changing(() -> confirm(byLane[index]));
        }

        void failed(int index) {
            changing(() -> byLane[index].handshaking.pollFirst());
        }

        private void confirm(Lane lane) {
            lane.http2 = true;
            lane.confirmed = true;
            lane.lastUsed = clock.instant();
        }

        /** Makes a change under the lock and wakes the waiting calls to look again. */
        private void changing(Runnable change) {
            lock.lock();
            try {
                change.run();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
