/*
 * Where augmentation's synonyms and protected terms come from (a picocli mixin shared by augment
 * and train --augment): a domain lexicon, WordNet, a list of protected terms.
 */
package dev.kanna.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

final class SynonymOptions {
    @Option(names = "--lexicon", paramLabel = "FILE",
            description = "Augmentation: a domain lexicon, one term per line followed by its synonyms, separated by tabs "
                    + "(terms and synonyms may have several words; '#' lines are comments).")
    Path lexicon;

    @Option(names = "--wordnet", description = "Augmentation: also take synonyms from WordNet 3.1 (built into the kanna jar; "
            + "never downloaded).")
    boolean wordnet;

    @Option(names = "--protect", paramLabel = "FILE",
            description = "Augmentation: terms never replaced, deleted or split, one per line.")
    Path protect;

    boolean given() {
        return lexicon != null || wordnet || protect != null;
    }
}
