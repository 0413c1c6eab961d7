package dev.gort;

import dev.gort.runtime.SCase;
import dev.gort.runtime.ChanRt;

import java.util.function.Consumer;

/**
 * Go's {@code select} statement.
 *
 * <pre>{@code
 * int i = Select.select(
 *     Select.recv(in, v -> use(v)),            // case v := <-in
 *     Select.recvOk(in, (v, ok) -> ...),        // case v, ok := <-in
 *     Select.send(out, x, () -> ...),           // case out <- x
 *     Select.otherwise(() -> ...));             // default
 * }</pre>
 *
 * {@link #select} blocks until a case can proceed, picks uniformly at random among the
 * ready ones (Go's fairness), runs its body (a null body is allowed) and returns the
 * case's index. A case on a null channel or {@link Chan#nil()} is never ready (Go's nil
 * channel); {@code select()} with no cases blocks forever; with {@link #otherwise} it never
 * blocks. A select with one case is the plain operation, and one case with a default the
 * non-blocking one, as Go's compiler lowers them (a goroutine blocked in it shows
 * {@code chan receive}, not {@code select}). {@link #choose} is the same select without
 * bodies, for loops that must break, continue or return on the outcome.
 */
public final class Select {
    private Select() {}

    /** {@code case v, ok := <-ch}'s body. */
    @FunctionalInterface
    public interface RecvOkBody<T> {
        void accept(T value, boolean ok);
    }

    /** One case of a select. Build with {@link #recv}, {@link #recvOk}, {@link #send} or {@link #otherwise}. */
    public static final class Case extends SCase {
        private final Consumer<Object> recvBody;
        private final RecvOkBody<Object> recvOkBody;
        private final Runnable body;
        private final boolean isDefault;

        private Case(Chan<?> c, Object elem, boolean send, boolean isDefault,
                     Consumer<Object> recvBody, RecvOkBody<Object> recvOkBody, Runnable body) {
            super(c, elem, send, isDefault);
            this.recvBody = recvBody;
            this.recvOkBody = recvOkBody;
            this.body = body;
            this.isDefault = isDefault;
        }

        private void run(Object value, boolean ok) {
            if (recvBody != null) {
                recvBody.accept(value);
            } else if (recvOkBody != null) {
                recvOkBody.accept(value, ok);
            } else if (body != null) {
                body.run();
            }
        }
    }

    /** {@code case v := <-ch}: body gets the value (null if ch is closed). */
    @SuppressWarnings("unchecked")
    public static <T> Case recv(Chan<T> ch, Consumer<? super T> body) {
        Consumer<Object> b = body == null ? NOTHING : (Consumer<Object>) body;
        return new Case(ch, null, false, false, b, null, null);
    }

    /** {@code case v, ok := <-ch}. */
    @SuppressWarnings("unchecked")
    public static <T> Case recvOk(Chan<T> ch, RecvOkBody<? super T> body) {
        RecvOkBody<Object> b = body == null ? (v, ok) -> {} : (RecvOkBody<Object>) body;
        return new Case(ch, null, false, false, null, b, null);
    }

    /** {@code case ch <- v}. A send on a closed channel panics when chosen. */
    public static <T> Case send(Chan<T> ch, T v, Runnable body) {
        return new Case(ch, v, true, false, null, null, body);
    }

    /** {@code default}: runs when no other case is ready. */
    public static Case otherwise(Runnable body) {
        return new Case(null, null, false, true, null, null, body);
    }

    private static final Consumer<Object> NOTHING = v -> {};

    /**
     * The outcome of {@link #choose}: the index of the case that proceeded, and for a
     * receive case the value received (null once the channel is closed) and whether it was
     * sent ({@code ok}, false once closed). For a send or default case value is null and ok
     * false (as Go's reflect.Select reports).
     */
    public record Chosen(int index, Object value, boolean ok) {}

    /**
     * Go's select: blocks until a case can proceed, runs its body, returns its index.
     *
     * @throws IllegalArgumentException if more than one {@link #otherwise} case is given
     * @throws Panic "send on closed channel" if a send case on a closed channel is chosen
     */
    public static int select(Case... cases) {
        int dflt = defaultCase(cases);
        Chosen c = ChanRt.selectgo(cases, dflt < 0);
        int i = c.index();
        if (i < 0) {
            cases[dflt].run(null, false);
            return dflt;
        }
        cases[i].run(c.value(), c.ok());
        return i;
    }

    /**
     * Go's select without bodies (the ones given are not run): blocks until a case can
     * proceed and says which did, and what it received, so that the caller can
     * {@code break}, {@code continue} or {@code return} as Go code does inside a select.
     *
     * <pre>{@code
     * for (;;) {
     *     Select.Chosen c = Select.choose(Select.recv(in, null), Select.recv(quit, null));
     *     if (c.index() == 1) return;          // case <-quit: return
     *     if (!c.ok()) break;                   // case v, ok := <-in: if !ok { break }
     *     use((Integer) c.value());
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException if more than one {@link #otherwise} case is given
     * @throws Panic "send on closed channel" if a send case on a closed channel is chosen
     */
    public static Chosen choose(Case... cases) {
        int dflt = defaultCase(cases);
        Chosen c = ChanRt.selectgo(cases, dflt < 0);
        return c.index() < 0 ? new Chosen(dflt, null, false) : c;
    }

    /** The index of the default case, or -1; rejects null cases and a second default. */
    private static int defaultCase(Case[] cases) {
        int dflt = -1;
        for (int i = 0; i < cases.length; i++) {
            Case c = cases[i];
            if (c == null) {
                throw new NullPointerException("select case " + i + " is null");
            }
            if (c.isDefault) {
                if (dflt >= 0) {
                    throw new IllegalArgumentException(
                            "select: multiple defaults (otherwise cases at " + dflt + " and " + i + ")");
                }
                dflt = i;
            }
        }
        return dflt;
    }
}
