/*
 * The fields of a Hugging Face BERT config.json the model needs. (Interim: replaced by the io
 * package's full config mapping when it lands.)
 */
package dev.kanna.bert;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.Activation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

@JsonIgnoreProperties(ignoreUnknown = true)
public record BertConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int hiddenSize,
        @JsonProperty("num_hidden_layers") int numHiddenLayers,
        @JsonProperty("num_attention_heads") int numAttentionHeads,
        @JsonProperty("intermediate_size") int intermediateSize,
        @JsonProperty("hidden_act") String hiddenAct,
        @JsonProperty("hidden_dropout_prob") double hiddenDropoutProb,
        @JsonProperty("attention_probs_dropout_prob") double attentionProbsDropoutProb,
        @JsonProperty("classifier_dropout") Double classifierDropout,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("type_vocab_size") int typeVocabSize,
        @JsonProperty("initializer_range") double initializerRange,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("pad_token_id") int padTokenId,
        @JsonProperty("id2label") Map<String, String> id2label) {

    public static BertConfig read(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), BertConfig.class);
    }

    public Activation activation() {
        Activation a = Activation.fromHfName(hiddenAct);
        if (a == null) throw new IllegalArgumentException("unsupported hidden_act " + hiddenAct);
        return a;
    }

    public int numLabels() {
        return id2label == null || id2label.isEmpty() ? 2 : id2label.size();
    }
}
