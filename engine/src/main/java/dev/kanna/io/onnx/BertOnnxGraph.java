/*
 * Reads a BERT back out of an ONNX graph exported in the transformers.js / Optimum form: named
 * embedding, LayerNorm and bias initializers; anonymous linear weights stored [in, out] and named
 * through the Add that carries their bias (query.bias -> query.weight, transposed to PyTorch's
 * [out, in]). The config is inferred from the weights' shapes and from the graph itself: the head
 * count from the attention Reshape's constant shape, layer_norm_eps from LayerNormalization or the
 * decomposed form's Add, hidden_act from the ops after the intermediate dense layer.
 */
package dev.kanna.io.onnx;

import dev.kanna.bert.BertConfig;
import dev.kanna.bert.ConfigException;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class BertOnnxGraph {

    private static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    private static final String FORM = "expected a BERT exported in the transformers.js/Optimum form";

    /** A weight in PyTorch's layout, under its Hugging Face name. */
    record Weight(String name, long[] shape, float[] data) {
    }

    /** The model read from the graph. {@code ignored}: named tensors that are not part of a BertModel. */
    record Result(BertConfig config, Map<String, Weight> weights, List<String> ignored, String headsFrom) {
    }

    private final Path file;
    private final OnnxModel model;
    private final Map<String, OnnxTensor> constants = new HashMap<>();   // initializers and Constant outputs
    private final Map<String, String> identity = new HashMap<>();         // Identity output -> input
    private final Map<String, OnnxNode> producer = new HashMap<>();
    private final Map<String, List<OnnxNode>> consumers = new HashMap<>();
    private final Map<String, OnnxTensor> named = new LinkedHashMap<>();  // HF name -> tensor
    private final Map<String, OnnxNode> biasNode = new HashMap<>();       // bias HF name -> node adding it
    private final List<String> outsideModel = new ArrayList<>();          // linear layers outside the BERT (heads)
    private String prefix;

    private BertOnnxGraph(OnnxModel model) {
        this.model = model;
        this.file = model.file();
        constants.putAll(model.initializers());
        for (OnnxNode n : model.nodes()) {
            for (String out : n.outputs()) producer.put(out, n);
            for (String in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            if (n.opType().equals("Identity") && !n.outputs().isEmpty()) identity.put(n.outputs().getFirst(), n.input(0));
            if (n.opType().equals("Constant") && !n.outputs().isEmpty()) {
                OnnxNode.Attribute value = n.attributes().get("value");
                if (value != null && value.t() != null) constants.put(n.outputs().getFirst(), value.t());
            }
        }
    }

    /** Reads the model; {@code numHeads} overrides the head count found in the graph (null: find it). */
    static Result read(OnnxModel model, Integer numHeads) {
        return new BertOnnxGraph(model).read(numHeads);
    }

    private Result read(Integer numHeads) {
        collectNamedTensors();
        Map<String, Weight> weights = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxTensor> e : named.entrySet()) {
            if (e.getValue().dataType() == OnnxTensor.FLOAT) {
                weights.put(e.getKey(), new Weight(e.getKey(), e.getValue().dims(), null));
            }
        }
        Map<String, Weight> linear = collectLinearWeights();
        weights.putAll(linear);

        long[] word = shape(weights, WORD_EMBEDDINGS, 2);
        int hidden = (int) word[1];
        int vocab = (int) word[0];
        int positions = (int) shape(weights, "embeddings.position_embeddings.weight", 2)[0];
        int typeVocab = (int) shape(weights, "embeddings.token_type_embeddings.weight", 2)[0];
        int layers = countLayers(weights.keySet());
        int intermediate = (int) shape(weights, "encoder.layer.0.intermediate.dense.bias", 1)[0];
        boolean pooler = weights.containsKey("pooler.dense.bias") || weights.containsKey("pooler.dense.weight");

        Map<String, long[]> expected = expectedShapes(vocab, hidden, positions, typeVocab, layers, intermediate, pooler);
        Map<String, Weight> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Weight w = weights.get(e.getKey());
            if (w == null) {
                throw new OnnxImportException(file, "missing tensor '" + e.getKey() + "' (a BERT with " + layers
                        + " layers needs it); " + FORM);
            }
            if (!Arrays.equals(w.shape, e.getValue())) {
                throw new OnnxImportException(file, "tensor '" + e.getKey() + "' has shape " + Arrays.toString(w.shape)
                        + "; expected " + Arrays.toString(e.getValue()));
            }
            out.put(e.getKey(), w.data != null ? w : new Weight(w.name, w.shape, named.get(w.name).floats()));
        }
        List<String> ignored = new ArrayList<>(new TreeSet<>(named.keySet()));
        ignored.removeAll(expected.keySet());
        ignored.addAll(outsideModel);

        Heads heads = heads(hidden, numHeads);
        BertConfig config;
        try {
            config = BertConfig.builder()
                    .vocabSize(vocab).hiddenSize(hidden).numHiddenLayers(layers).numAttentionHeads(heads.count)
                    .intermediateSize(intermediate).maxPositionEmbeddings(positions).typeVocabSize(typeVocab)
                    .hiddenAct(activation()).layerNormEps(layerNormEps())
                    .architectures(List.of("BertModel"))
                    .build();
        } catch (ConfigException e) {
            throw new OnnxImportException(file, "the sizes read from the graph make no valid BERT config: " + e.getMessage());
        }
        return new Result(config, out, ignored, heads.source);
    }

    // ---------------------------------------------------------------------------------------------
    // Names

    /** Follows Identity nodes back to the value they copy. */
    private String resolve(String value) {
        String v = value;
        for (int hops = 0; identity.containsKey(v) && hops < 1000; hops++) v = identity.get(v);
        return v;
    }

    private OnnxTensor constant(String value) {
        return constants.get(resolve(value));
    }

    /** Initializers (and Identity copies of them) under a Hugging Face name, with any common prefix removed. */
    private void collectNamedTensors() {
        Set<String> candidates = new TreeSet<>(model.initializers().keySet());
        for (String out : identity.keySet()) {
            if (model.initializers().containsKey(resolve(out))) candidates.add(out);
        }
        String word = candidates.stream().filter(n -> n.endsWith(WORD_EMBEDDINGS)).findFirst().orElseThrow(() ->
                new OnnxImportException(file, "no tensor named '" + WORD_EMBEDDINGS + "' (or with a prefix such as 'bert.'); " + FORM));
        prefix = word.substring(0, word.length() - WORD_EMBEDDINGS.length());
        for (String n : candidates) {
            if (n.startsWith(prefix) && !n.startsWith("onnx::") && !n.startsWith("/")) named.put(n.substring(prefix.length()), constant(n));
        }
    }

    /** The HF name a value resolves to (an initializer or an Identity copy under the prefix), or null. */
    private String hfName(String value) {
        for (String v = value; v != null; v = identity.get(v)) {
            if (v.startsWith(prefix) && named.containsKey(v.substring(prefix.length()))) return v.substring(prefix.length());
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // Linear layers

    /** Every MatMul/Gemm by a constant matrix, named through the bias added to its output. */
    private Map<String, Weight> collectLinearWeights() {
        Map<String, Weight> out = new LinkedHashMap<>();
        for (OnnxNode n : model.nodes()) {
            boolean gemm = n.opType().equals("Gemm");
            if (!gemm && !n.opType().equals("MatMul")) continue;
            OnnxTensor w = constant(n.input(1));
            boolean outIn;   // stored as PyTorch's [out, in] already?
            if (gemm) {
                if (w == null) continue;
                Long transA = n.intAttribute("transA");
                if (transA != null && transA != 0) throw unrecognised(n, "a Gemm with transA=1");
                Long transB = n.intAttribute("transB");
                outIn = transB != null && transB != 0;
            } else if (w != null) {
                outIn = false;
            } else {
                OnnxNode t = producer.get(resolve(n.input(1)));
                if (t == null || !t.opType().equals("Transpose") || constant(t.input(0)) == null) continue;   // activations
                w = constant(t.input(0));
                outIn = true;
            }
            if (w.dataType() != OnnxTensor.FLOAT || w.dims().length != 2) continue;

            String bias = gemm ? hfName(n.input(2)) : biasAddedTo(n);
            String outside = bias != null ? null : gemm ? initializerName(n.input(2)) : initializerAddedTo(n);
            if (outside != null && !outside.startsWith(prefix)) {
                outsideModel.add(outside.replaceFirst("\\.bias$", ".weight"));   // e.g. a classifier after the BERT
                outsideModel.add(outside);
                continue;
            }
            if (bias == null || !bias.endsWith(".bias")) {
                throw unrecognised(n, "a linear layer whose bias has no Hugging Face name (expected " + n.opType()
                        + " followed by Add with a named '*.bias' initializer)");
            }
            String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
            String ownName = hfName(n.input(1));
            if (ownName != null && !ownName.equals(name)) {
                throw unrecognised(n, "weight '" + ownName + "' added to bias '" + bias + "'");
            }
            if (out.containsKey(name)) throw unrecognised(n, "a second linear layer with bias '" + bias + "'");
            float[] data = w.floats();
            long[] dims = w.dims();
            if (!outIn) {
                data = transpose(data, (int) dims[0], (int) dims[1]);
                dims = new long[]{dims[1], dims[0]};
            }
            out.put(name, new Weight(name, dims, data));
            biasNode.put(bias, gemm ? n : consumerAdding(n, bias));
        }
        return out;
    }

    /** The named bias of the one Add consuming this MatMul's output, or null. */
    private String biasAddedTo(OnnxNode matmul) {
        String result = null;
        for (OnnxNode c : consumers.getOrDefault(matmul.outputs().getFirst(), List.of())) {
            if (!c.opType().equals("Add")) continue;
            String other = c.input(0).equals(matmul.outputs().getFirst()) ? c.input(1) : c.input(0);
            String name = hfName(other);
            if (name != null) {
                if (result != null) throw unrecognised(matmul, "two biases added to one MatMul");
                result = name;
            }
        }
        return result;
    }

    /** The named initializer (not an anonymous onnx:: one) that a value resolves to, or null. */
    private String initializerName(String value) {
        String root = resolve(value);
        return model.initializers().containsKey(root) && !root.startsWith("onnx::") ? root : null;
    }

    /** The named initializer added to this MatMul's output by an Add, or null. */
    private String initializerAddedTo(OnnxNode matmul) {
        for (OnnxNode c : consumers.getOrDefault(matmul.outputs().getFirst(), List.of())) {
            if (!c.opType().equals("Add")) continue;
            String other = c.input(0).equals(matmul.outputs().getFirst()) ? c.input(1) : c.input(0);
            if (initializerName(other) != null) return initializerName(other);
        }
        return null;
    }

    private OnnxNode consumerAdding(OnnxNode matmul, String bias) {
        for (OnnxNode c : consumers.get(matmul.outputs().getFirst())) {
            if (c.opType().equals("Add") && (bias.equals(hfName(c.input(0))) || bias.equals(hfName(c.input(1))))) return c;
        }
        throw new IllegalStateException("bias " + bias + " was found on this MatMul");
    }

    /** [rows, cols] -> [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }

    // ---------------------------------------------------------------------------------------------
    // Shapes

    private long[] shape(Map<String, Weight> weights, String name, int rank) {
        Weight w = weights.get(name);
        if (w == null) throw new OnnxImportException(file, "missing tensor '" + name + "'; " + FORM);
        if (w.shape.length != rank) {
            throw new OnnxImportException(file, "tensor '" + name + "' has shape " + Arrays.toString(w.shape)
                    + "; expected " + rank + " dimensions");
        }
        return w.shape;
    }

    private int countLayers(Set<String> names) {
        Set<Integer> seen = new HashSet<>();
        for (String n : names) {
            Matcher m = LAYER.matcher(n);
            if (m.find()) seen.add(Integer.parseInt(m.group(1)));
        }
        if (seen.isEmpty()) throw new OnnxImportException(file, "no 'encoder.layer.N.*' tensors; " + FORM);
        int layers = seen.stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
        for (int l = 0; l < layers; l++) {
            if (!seen.contains(l)) throw new OnnxImportException(file, "encoder layer " + l + " has no tensors, but layer "
                    + (layers - 1) + " has; expected layers 0.." + (layers - 1));
        }
        return layers;
    }

    /** Every tensor of a transformers BertModel of this size, in PyTorch's layout. */
    static Map<String, long[]> expectedShapes(int vocab, int hidden, int positions, int typeVocab, int layers,
                                              int intermediate, boolean pooler) {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("embeddings.word_embeddings.weight", new long[]{vocab, hidden});
        m.put("embeddings.position_embeddings.weight", new long[]{positions, hidden});
        m.put("embeddings.token_type_embeddings.weight", new long[]{typeVocab, hidden});
        m.put("embeddings.LayerNorm.weight", new long[]{hidden});
        m.put("embeddings.LayerNorm.bias", new long[]{hidden});
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String qkv : List.of("query", "key", "value")) {
                m.put(p + "attention.self." + qkv + ".weight", new long[]{hidden, hidden});
                m.put(p + "attention.self." + qkv + ".bias", new long[]{hidden});
            }
            m.put(p + "attention.output.dense.weight", new long[]{hidden, hidden});
            m.put(p + "attention.output.dense.bias", new long[]{hidden});
            m.put(p + "attention.output.LayerNorm.weight", new long[]{hidden});
            m.put(p + "attention.output.LayerNorm.bias", new long[]{hidden});
            m.put(p + "intermediate.dense.weight", new long[]{intermediate, hidden});
            m.put(p + "intermediate.dense.bias", new long[]{intermediate});
            m.put(p + "output.dense.weight", new long[]{hidden, intermediate});
            m.put(p + "output.dense.bias", new long[]{hidden});
            m.put(p + "output.LayerNorm.weight", new long[]{hidden});
            m.put(p + "output.LayerNorm.bias", new long[]{hidden});
        }
        if (pooler) {
            m.put("pooler.dense.weight", new long[]{hidden, hidden});
            m.put("pooler.dense.bias", new long[]{hidden});
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Heads, layer_norm_eps, hidden_act

    private record Heads(int count, String source) {
    }

    /** From the Reshape that splits layer 0's query/key/value into [batch, seq, heads, head_size]. */
    private Heads heads(int hidden, Integer override) {
        long[] found = null;
        for (String qkv : List.of("query", "key", "value")) {
            OnnxNode add = biasNode.get("encoder.layer.0.attention.self." + qkv + ".bias");
            if (add == null || found != null) continue;
            for (OnnxNode c : consumers.getOrDefault(add.outputs().getFirst(), List.of())) {
                if (c.opType().equals("Reshape") && c.input(0).equals(add.outputs().getFirst())) {
                    found = headsFromShape(c.input(1));
                    if (found != null) break;
                }
            }
        }
        Integer fromGraph = null;
        if (found != null) {
            long count = found[0] > 0 ? found[0] : found[1] > 0 ? hidden / found[1] : -1;
            long size = found[1] > 0 ? found[1] : count > 0 ? hidden / count : -1;
            if (count <= 0 || count * size != hidden) {
                throw new OnnxImportException(file, "the attention Reshape splits hidden size " + hidden + " into "
                        + found[0] + " heads of " + found[1] + "; expected heads x head_size = " + hidden);
            }
            fromGraph = (int) count;
        }
        if (override != null) {
            if (override <= 0 || hidden % override != 0) {
                throw new OnnxImportException(file, "--num-heads " + override + " does not divide hidden size " + hidden);
            }
            if (fromGraph != null && !fromGraph.equals(override)) {
                throw new OnnxImportException(file, "--num-heads " + override + " contradicts the graph, whose attention "
                        + "Reshape uses " + fromGraph + " heads");
            }
            return new Heads(override, "--num-heads");
        }
        if (fromGraph == null) {
            throw new OnnxImportException(file, "found no attention Reshape with constant [heads, head_size] after "
                    + "layer 0's query/key/value; pass the head count with --num-heads");
        }
        return new Heads(fromGraph, "attention Reshape");
    }

    /** The last two entries of a constant 4-d shape, or of a Concat whose last two inputs are constants. */
    private long[] headsFromShape(String shapeValue) {
        OnnxTensor constant = constant(shapeValue);
        if (constant != null && constant.elementCount() == 4) {
            long[] s = constant.longs();
            return new long[]{s[2], s[3]};
        }
        OnnxNode concat = producer.get(resolve(shapeValue));
        if (concat == null || !concat.opType().equals("Concat") || concat.inputs().size() != 4) return null;
        OnnxTensor heads = constant(concat.input(2));
        OnnxTensor size = constant(concat.input(3));
        if (heads == null || size == null || heads.elementCount() != 1 || size.elementCount() != 1) return null;
        return new long[]{heads.longs()[0], size.longs()[0]};
    }

    /** LayerNormalization's epsilon, or the constant added before Sqrt in the decomposed form; else 1e-12. */
    private double layerNormEps() {
        Set<Float> found = new TreeSet<>();
        for (OnnxNode n : model.nodes()) {
            if (n.opType().equals("LayerNormalization")) {
                Float eps = n.floatAttribute("epsilon");
                found.add(eps != null ? eps : 1e-5f);   // the ONNX default
            } else if (n.opType().equals("Sqrt")) {
                OnnxNode add = producer.get(resolve(n.input(0)));
                if (add == null || !add.opType().equals("Add")) continue;
                for (int i = 0; i < 2; i++) {
                    OnnxTensor c = constant(add.input(i));
                    OnnxNode other = producer.get(resolve(add.input(1 - i)));
                    if (c != null && c.floatScalar() != null && other != null && other.opType().equals("ReduceMean")) {
                        found.add(c.floatScalar());
                    }
                }
            }
        }
        if (found.size() > 1) {
            throw new OnnxImportException(file, "LayerNorms use different epsilons " + found + "; expected one layer_norm_eps");
        }
        // The graph holds fp32; the config wants the decimal that was exported (1e-12, not 9.9999999600e-13).
        return found.isEmpty() ? 1e-12 : Double.parseDouble(Float.toString(found.iterator().next()));
    }

    /** Recognises the activation between layer 0's intermediate dense layer and its output dense layer. */
    private String activation() {
        OnnxNode start = biasNode.get("encoder.layer.0.intermediate.dense.bias");
        if (start == null) {
            throw new OnnxImportException(file, "encoder.layer.0.intermediate.dense is not a MatMul/Gemm with a named "
                    + "bias, so its activation cannot be found; " + FORM);
        }
        Set<String> ops = new TreeSet<>();
        Set<Float> scalars = new HashSet<>();
        String geluApproximation = null;
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(start.outputs().getFirst()));
        Set<String> visited = new HashSet<>();
        while (!queue.isEmpty() && visited.size() < 64) {
            String value = queue.poll();
            if (!visited.add(value)) continue;
            for (OnnxNode c : consumers.getOrDefault(value, List.of())) {
                if (c.opType().equals("MatMul") || c.opType().equals("Gemm")) continue;   // the output dense layer
                ops.add(c.opType());
                if (c.opType().equals("Gelu")) {
                    OnnxNode.Attribute a = c.attributes().get("approximate");
                    geluApproximation = a == null || a.s() == null ? "none" : a.s();
                }
                for (String in : c.inputs()) {
                    OnnxTensor k = constant(in);
                    if (k != null && k.floatScalar() != null) scalars.add(k.floatScalar());
                }
                queue.addAll(c.outputs());
            }
        }
        if (geluApproximation != null) return geluApproximation.equals("tanh") ? "gelu_new" : "gelu";
        if (ops.contains("Erf")) return "gelu";
        if (ops.contains("Tanh")) return "gelu_new";
        if (ops.contains("Sigmoid")) {
            throw new OnnxImportException(file, "the activation after encoder.layer.0.intermediate.dense is Sigmoid-based ("
                    + (scalars.contains(1.702f) ? "quick_gelu" : "silu") + "), which Kanna does not support; "
                    + "supported: gelu, gelu_new, gelu_python, relu");
        }
        if (ops.contains("Relu")) return "relu";
        throw new OnnxImportException(file, "cannot tell the activation after encoder.layer.0.intermediate.dense from ops "
                + ops + "; expected Erf (gelu), Tanh (gelu_new), Gelu or Relu");
    }

    private OnnxImportException unrecognised(OnnxNode n, String what) {
        return new OnnxImportException(file, "node '" + n.name() + "' (" + n.opType() + ") is " + what + "; " + FORM);
    }
}
