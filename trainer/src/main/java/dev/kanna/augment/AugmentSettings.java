/*
 * What a user asks of augmentation (augment's flags; train --augment's): recorded in the training
 * record and compared on --resume, where the lexicon's and protected list's content counts, not
 * only their names.
 *
 * @param copies  new rows per row (augment --n, train --augment)
 * @param alpha   EDA's rate: the share of words changed, the deletion and replacement probability
 * @param ops     the operations, or null for the task's (without synonyms: those that need none)
 * @param lexicon a domain lexicon (Lexicon), or null
 * @param protect protected terms (ProtectedTerms), or null
 * @param wordnet whether WordNet's synonyms are used (WordNetSynonyms)
 */
package dev.kanna.augment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public record AugmentSettings(int copies, double alpha, List<Operation> ops, Path lexicon, Path protect,
                              boolean wordnet) {

    public AugmentSettings {
        if (copies < 1) throw new IllegalArgumentException("the number of new rows per row must be ≥ 1, got " + copies);
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        if (ops != null) {
            if (ops.isEmpty()) throw new IllegalArgumentException("no augmentation operation given");
            ops = List.copyOf(ops);
        }
    }

    /** Reads the lexicon and protected terms and opens WordNet, as asked. */
    public Augmentation load() {
        List<Synonyms> sources = new ArrayList<>();
        if (lexicon != null) sources.add(Lexicon.read(lexicon));
        if (wordnet) sources.add(WordNetSynonyms.load());
        return new Augmentation(this, Synonyms.of(sources), protect == null ? ProtectedTerms.NONE : ProtectedTerms.read(protect));
    }

    /** The settings in one line without '|', the lexicon and protected list by content (for --resume). */
    public String fingerprint() {
        return String.format(Locale.ROOT, "copies=%d,alpha=%s,ops=%s,lexicon=%s,protect=%s,wordnet=%s", copies, alpha,
                ops == null ? "default" : String.join("+", ops.stream().map(Operation::flag).toList()),
                digest(lexicon), digest(protect), wordnet);
    }

    /** The settings as the training record keeps them. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copies", copies);
        m.put("alpha", alpha);
        m.put("ops", ops == null ? "default" : ops.stream().map(Operation::flag).toList());
        m.put("lexicon", lexicon == null ? null : lexicon.toAbsolutePath().toString());
        m.put("lexicon_sha256", digest(lexicon));
        m.put("protect", protect == null ? null : protect.toAbsolutePath().toString());
        m.put("protect_sha256", digest(protect));
        m.put("wordnet", wordnet);
        return m;
    }

    private static String digest(Path file) {
        if (file == null) return null;
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
