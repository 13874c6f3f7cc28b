/*
 * A matrix product on device buffers, row-major: C = alpha · op(A) · op(B) + beta · C + bias, for
 * `batch` independent products at the given element strides. aKMajor: A stored (M, K), else (K, M);
 * bKMajor: B stored (N, K), else (K, N); C is (M, N). Two implementations: our PTX kernels, and
 * cuBLAS where JCublas loads.
 */
package dev.kanna.cuda;

interface MatMul extends AutoCloseable {

    /** What computes the products, for Backend.description(). */
    String description();

    void gemm(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias, int m, int n, int k,
              boolean aKMajor, boolean bKMajor, float alpha, float beta,
              int batch, long strideA, long strideB, long strideC);

    @Override
    default void close() {
    }
}
