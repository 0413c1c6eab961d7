package dev.gort.pprof;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The page at {@code /debug/pprof/}: Go's Index and indexTmplExecute (net/http/pprof),
 * byte for byte: every profile ({@link Pprof#profiles}) with its count, allocs
 * ({@link AllocProfile}), then cmdline, profile, symbol and trace, sorted by name, each linked with {@code ?debug=1}, and Go's
 * descriptions (profileDescriptions).
 */
final class Index {
    private Index() {}

    /** Go's profileDescriptions, for the names gort serves. */
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("allocs", "A sampling of all past memory allocations"),
            Map.entry("block", "Stack traces that led to blocking on synchronization primitives"),
            Map.entry("cmdline", "The command line invocation of the current program"),
            Map.entry("goroutine", "Stack traces of all current goroutines. Use debug=2 as a query parameter to export in the same format as an unrecovered panic."),
            Map.entry("goroutineleak", "Stack traces of all leaked goroutines. Use debug=2 as a query parameter to export in the same format as an unrecovered panic."),
            Map.entry("heap", "A sampling of memory allocations of live objects. You can specify the gc GET parameter to run GC before taking the heap sample."),
            Map.entry("mutex", "Stack traces of holders of contended mutexes"),
            Map.entry("profile", "CPU profile. You can specify the duration in the seconds GET parameter. After you get the profile file, use the go tool pprof command to investigate the profile."),
            Map.entry("symbol", "Maps given program counters to function names. Counters can be specified in a GET raw query or POST body, multiple counters are separated by '+'."),
            Map.entry("threadcreate", "Stack traces that led to the creation of new OS threads"),
            Map.entry("trace", "A trace of execution of the current program. You can specify the duration in the seconds GET parameter. After you get the trace file, use the go tool trace command to investigate the trace."));

    private record Entry(String name, String desc, int count) {}

    static String page() {
        List<Entry> profiles = new ArrayList<>();
        for (Pprof.Profile p : Pprof.profiles()) {
            profiles.add(new Entry(p.name(), DESCRIPTIONS.getOrDefault(p.name(), ""), p.count()));
        }
        // allocs: served by the server only (its records exist while a server runs: AllocProfile)
        profiles.add(new Entry("allocs", DESCRIPTIONS.get("allocs"), AllocProfile.count()));
        for (String p : List.of("cmdline", "profile", "symbol", "trace")) {
            profiles.add(new Entry(p, DESCRIPTIONS.get(p), 0));
        }
        profiles.sort(Comparator.comparing(Entry::name));
        StringBuilder b = new StringBuilder("""
                <html>
                <head>
                <title>/debug/pprof/</title>
                <style>
                .profile-name{
                \tdisplay:inline-block;
                \twidth:6rem;
                }
                </style>
                </head>
                <body>
                /debug/pprof/
                <br>
                <p>Set debug=1 as a query parameter to export in legacy text format</p>
                <br>
                Types of profiles available:
                <table>
                <thead><td>Count</td><td>Profile</td></thead>
                """);
        for (Entry e : profiles) {
            // Go: (&url.URL{Path: name, RawQuery: "debug=1"}).String(); gort's names need no escaping
            b.append("<tr><td>").append(e.count()).append("</td><td><a href='").append(e.name()).append("?debug=1'>")
                    .append(escape(e.name())).append("</a></td></tr>\n");
        }
        b.append("""
                </table>
                <a href="goroutine?debug=2">full goroutine stack dump</a>
                <br>
                <p>
                Profile Descriptions:
                <ul>
                """);
        for (Entry e : profiles) {
            b.append("<li><div class=profile-name>").append(escape(e.name())).append(": </div> ")
                    .append(escape(e.desc())).append("</li>\n");
        }
        b.append("</ul>\n</p>\n</body>\n</html>");
        return b.toString();
    }

    /** Go's html.EscapeString. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&#34;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
