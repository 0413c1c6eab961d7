package dev.gort.explore;

import dev.gort.Chan;
import dev.gort.Gort;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void smoke() {
        Runnable prog = () -> {
            int[] counter = {0};
            Chan<Integer> done = Chan.make(2);
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> {
                    int v = counter[0];
                    done.send(0);
                    counter[0] = v + 1;
                    done.send(1);
                });
            }
            for (int i = 0; i < 4; i++) done.recv();
            if (counter[0] != 2) throw new IllegalStateException("lost update: " + counter[0]);
        };
        Explore.Result r = Explore.run(Explore.random().iterations(200).seed(1), prog);
        System.out.println(r);
        assertTrue(r.failed());
        var e = assertThrows(IllegalStateException.class, () -> Explore.replay(r.schedule(), prog));
        System.out.println(e);
    }
}
