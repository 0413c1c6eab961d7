package dev.gort.bench.libs;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Lucene core: each round indexes {@code docs} synthetic documents (a title, a body of
 * Zipf-distributed words, an id, an int point) into a fresh in-memory directory, then runs
 * {@code queries} term, boolean, phrase and range queries and reads the stored ids of the
 * top hits. Indexing uses the calling thread only (a serial merge scheduler, a fixed
 * flush size), so the index, hence the checksum, is the same in every run.
 *
 * <p>{@code goroutines=4} runs four copies, each with its own directory, in four
 * goroutines (issue 16: it must end, with the same checksum, under the agent).
 *
 * <p>{@code java ... dev.gort.bench.libs.LuceneBench [rounds=12] [docs=4000]
 * [queries=2000] [goroutines=K]}
 */
public final class LuceneBench {
    private LuceneBench() {}

    /** Distinct words: enough for a realistic dictionary, few enough for frequent terms. */
    static final int VOCABULARY = 5000;

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Rounds.args(argv);
        int docs = Rounds.intArg(args, "docs", 4000);
        int queries = Rounds.intArg(args, "queries", 2000);
        String[] vocab = vocabulary();
        Rounds.first(round(vocab, 50, 10, 7));
        Rounds.run(args, 12, (round, copy) -> round(vocab, docs, queries, 1000L * round + copy));
    }

    static long round(String[] vocab, int docs, int queries, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            IndexWriterConfig cfg = new IndexWriterConfig(new StandardAnalyzer());
            cfg.setMergeScheduler(new SerialMergeScheduler());
            cfg.setMaxBufferedDocs(2000);
            cfg.setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH);
            try (IndexWriter w = new IndexWriter(dir, cfg)) {
                for (int i = 0; i < docs; i++) {
                    Document d = new Document();
                    d.add(new StringField("id", "doc" + i, Field.Store.YES));
                    d.add(new TextField("title", text(r, vocab, 6), Field.Store.YES));
                    d.add(new TextField("body", text(r, vocab, 60), Field.Store.NO));
                    int n = r.nextInt(100_000);
                    d.add(new IntPoint("n", n));
                    d.add(new StoredField("n", n));
                    w.addDocument(d);
                }
                w.commit();
            }
            long c = 0;
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher s = new IndexSearcher(reader);
                StoredFields stored = s.storedFields();
                for (int q = 0; q < queries; q++) {
                    TopDocs top = s.search(query(r, vocab, q), 10);
                    c = c * 31 + top.totalHits.value();
                    for (ScoreDoc sd : top.scoreDocs) {
                        c += stored.document(sd.doc).get("id").hashCode();
                    }
                }
            }
            return c;
        }
    }

    private static Query query(SplittableRandom r, String[] vocab, int q) {
        switch (q % 4) {
            case 0:
                return new TermQuery(new Term("body", word(r, vocab)));
            case 1: {
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                b.add(new TermQuery(new Term("body", word(r, vocab))), BooleanClause.Occur.MUST);
                b.add(new TermQuery(new Term("body", word(r, vocab))), BooleanClause.Occur.SHOULD);
                b.add(new TermQuery(new Term("title", word(r, vocab))), BooleanClause.Occur.SHOULD);
                return b.build();
            }
            case 2:
                return new PhraseQuery("body", word(r, vocab), word(r, vocab));
            default: {
                int lo = r.nextInt(100_000);
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                b.add(IntPoint.newRangeQuery("n", lo, lo + 2000), BooleanClause.Occur.FILTER);
                b.add(new TermQuery(new Term("body", word(r, vocab))), BooleanClause.Occur.SHOULD);
                return b.build();
            }
        }
    }

    /** A Zipf-like draw: the cube of a uniform number favours the first words strongly. */
    private static String word(SplittableRandom r, String[] vocab) {
        double u = r.nextDouble();
        return vocab[(int) (u * u * u * vocab.length)];
    }

    private static String text(SplittableRandom r, String[] vocab, int n) {
        StringBuilder sb = new StringBuilder(n * 8);
        for (int i = 0; i < n; i++) {
            sb.append(word(r, vocab)).append(' ');
        }
        return sb.toString();
    }

    /** Pronounceable synthetic words, the same in every run. */
    static String[] vocabulary() {
        String cons = "bcdfghklmnprstvz", vow = "aeiou";
        SplittableRandom r = new SplittableRandom(1);
        String[] v = new String[VOCABULARY];
        for (int i = 0; i < v.length; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(2, 5); k > 0; k--) {
                sb.append(cons.charAt(r.nextInt(cons.length()))).append(vow.charAt(r.nextInt(vow.length())));
            }
            v[i] = sb.append(i % 10).toString(); // the digit keeps them distinct
        }
        return v;
    }
}
