package dev.gort.bench.cpu;

import java.util.SplittableRandom;

/**
 * An expression tree walked by a visitor: the call-heavy workload of
 * {@code AgentOverheadBench}. Four node kinds make {@code accept} megamorphic (a real
 * virtual call per node, as in an interpreter or a compiler pass); every {@code accept}
 * calls the visitor, so each has a prologue check, and so does each visitor method that
 * recurses. Only {@link Eval#lit} and {@link Eval#var} are leaves (no check: Go's NOSPLIT).
 */
public abstract class Expr {
    /** Double dispatch into the visitor. */
    public abstract long accept(Visitor v);

    /** One method per node kind. */
    public interface Visitor {
        long lit(Lit e);

        long var(Var e);

        long add(Add e);

        long mul(Mul e);
    }

    public static final class Lit extends Expr {
        final long value;

        Lit(long value) {
            this.value = value;
        }

        @Override
        public long accept(Visitor v) {
            return v.lit(this);
        }
    }

    public static final class Var extends Expr {
        @Override
        public long accept(Visitor v) {
            return v.var(this);
        }
    }

    public static final class Add extends Expr {
        final Expr l, r;

        Add(Expr l, Expr r) {
            this.l = l;
            this.r = r;
        }

        @Override
        public long accept(Visitor v) {
            return v.add(this);
        }
    }

    public static final class Mul extends Expr {
        final Expr l, r;

        Mul(Expr l, Expr r) {
            this.l = l;
            this.r = r;
        }

        @Override
        public long accept(Visitor v) {
            return v.mul(this);
        }
    }

    /** Evaluates the tree with the variable bound to x (arithmetic wraps). */
    public static final class Eval implements Visitor {
        private final long x;

        public Eval(long x) {
            this.x = x;
        }

        @Override
        public long lit(Lit e) {
            return e.value;
        }

        @Override
        public long var(Var e) {
            return x;
        }

        @Override
        public long add(Add e) {
            return e.l.accept(this) + e.r.accept(this);
        }

        @Override
        public long mul(Mul e) {
            return e.l.accept(this) * e.r.accept(this);
        }
    }

    /** A full binary tree of the given depth (2^depth leaves), random operators and leaves, fixed seed. */
    public static Expr tree(int depth, long seed) {
        return tree(depth, new SplittableRandom(seed));
    }

    private static Expr tree(int depth, SplittableRandom rnd) {
        if (depth == 0) {
            return rnd.nextBoolean() ? new Var() : new Lit(rnd.nextInt(1, 10));
        }
        Expr l = tree(depth - 1, rnd), r = tree(depth - 1, rnd);
        return rnd.nextInt(4) == 0 ? new Mul(l, r) : new Add(l, r);
    }

    /** Sum of the tree's values for x = 0..n-1: n walks of the whole tree. */
    public static long evalAll(Expr e, int n) {
        long s = 0;
        for (int x = 0; x < n; x++) {
            s += e.accept(new Eval(x));
        }
        return s;
    }
}
