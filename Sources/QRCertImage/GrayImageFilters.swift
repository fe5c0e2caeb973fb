/// The few image operations the decoder's retries need (docs/DEGRADATION.md measures what each one buys).
/// Plain loops over the pixel buffer: every one is linear in the number of pixels.
extension GrayImage {
    /// Each pixel the mean of the `(2r+1)²` square around it (edges clamped): sensor and toner noise
    /// averaged away. Two passes of radius 1 approach a Gaussian of sigma 1.15 px.
    func boxBlurred(radius: Int) -> GrayImage {
        GrayImage(pixels: Self.boxRows(Self.boxColumns(pixels, width, height, radius), width, height, radius),
                  width: width, height: height)
    }

    /// `factor` times the width and height, Catmull-Rom cubic: a module of 1.3 px becomes 4 px with edges
    /// still steep, enough for zbar's run-length finder-pattern search. (Bilinear blurs the edges so much
    /// that it decodes 3 to 20 times fewer of the small codes of docs/DEGRADATION.md.)
    func enlarged(by factor: Int) -> GrayImage {
        let w2 = width * factor, h2 = height * factor
        // Weights of the 4 taps for each of the `factor` phases; output centre (x + 0.5) / factor - 0.5.
        var taps: [(offset: Int, w: (Int, Int, Int, Int))] = []
        for phase in 0..<factor {
            let position = (Double(phase) + 0.5) / Double(factor) - 0.5
            let base = Int(position.rounded(.down))
            let t = position - Double(base)
            func catmullRom(_ d: Double) -> Double {
                let a = abs(d)
                if a < 1 { return 1.5 * a * a * a - 2.5 * a * a + 1 }
                if a < 2 { return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2 }
                return 0
            }
            // Fixed point, 1/256: the four weights always sum to 256.
            let w0 = Int((catmullRom(t + 1) * 256).rounded()), w1 = Int((catmullRom(t) * 256).rounded())
            let w2 = Int((catmullRom(1 - t) * 256).rounded())
            taps.append((base, (w0, w1, w2, 256 - w0 - w1 - w2)))
        }
        // Rows first (into Int16-range values kept as Int), then columns; clamped at the edges.
        var horizontal = [Int32](repeating: 0, count: w2 * height)
        pixels.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width
                    func at(_ x: Int) -> Int { Int(src[row + min(max(x, 0), width - 1)]) }
                    for x in 0..<width {
                        for phase in 0..<factor {
                            let tap = taps[phase], c = x + tap.offset
                            let v = at(c - 1) * tap.w.0 + at(c) * tap.w.1 + at(c + 1) * tap.w.2 + at(c + 2) * tap.w.3
                            dst[y * w2 + x * factor + phase] = Int32(v)
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: w2 * h2)
        horizontal.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for phase in 0..<factor {
                        let tap = taps[phase], c = y + tap.offset
                        let r0 = min(max(c - 1, 0), height - 1) * w2, r1 = min(max(c, 0), height - 1) * w2
                        let r2 = min(max(c + 1, 0), height - 1) * w2, r3 = min(max(c + 2, 0), height - 1) * w2
                        let line = (y * factor + phase) * w2
                        for x in 0..<w2 {
                            let v = Int(src[r0 + x]) * tap.w.0 + Int(src[r1 + x]) * tap.w.1
                                + Int(src[r2 + x]) * tap.w.2 + Int(src[r3 + x]) * tap.w.3
                            dst[line + x] = UInt8(min(max((v + 32768) >> 16, 0), 255))
                        }
                    }
                }
            }
        }
        return GrayImage(pixels: out, width: w2, height: h2)
    }

    /// Half the width and height, each pixel the mean of a 2x2 square: noise averaged, big photos made cheap.
    /// Rounded to nearest, halves up. The first scan of every photo starts here, so the loop is written for the
    /// compiler to vectorise: 16-bit sums (four pixels and the rounding fit), no overflow checks, no zero-filled
    /// output first (a third of the cost of the `Int` version on a 1920x1080 frame, by callgrind).
    func halved() -> GrayImage {
        let w2 = width / 2, h2 = height / 2, stride = width
        let out = pixels.withUnsafeBufferPointer { src in
            [UInt8](unsafeUninitializedCapacity: w2 * h2) { dst, count in
                guard let s = src.baseAddress, let d = dst.baseAddress else { count = 0; return }
                for y in 0..<h2 {
                    let a = s + 2 * y * stride, b = a + stride, row = d + y * w2
                    for x in 0..<w2 {
                        let sum = UInt16(a[2 * x]) &+ UInt16(a[2 * x + 1]) &+ UInt16(b[2 * x]) &+ UInt16(b[2 * x + 1]) &+ 2
                        row[x] = UInt8(truncatingIfNeeded: sum &>> 2)
                    }
                }
                count = w2 * h2
            }
        }
        return GrayImage(pixels: out, width: w2, height: h2)
    }

    /// Black or white by comparison with the mean of the surrounding `window` square (an integral image):
    /// a threshold that follows shadows and gradients, and hard edges where blur left soft ones.
    /// A pixel turns black only if it is darker than its surroundings by `offset`, so flat paper stays white.
    func binarized(window: Int, offset: Int = 10) -> GrayImage {
        let r = window / 2
        let stride = width + 1
        // Sums wrap modulo 2^32 (12 MP of white exceed it), but every window's sum is far below 2^32,
        // so the differences below are exact: half the memory of Int sums.
        var integral = [UInt32](repeating: 0, count: stride * (height + 1))
        var out = [UInt8](repeating: 255, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            integral.withUnsafeMutableBufferPointer { sum in
                for y in 0..<height {
                    var row: UInt32 = 0
                    for x in 0..<width {
                        row &+= UInt32(src[y * width + x])
                        sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] &+ row
                    }
                }
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<height {
                        let y0 = max(0, y - r), y1 = min(height, y + r + 1)
                        for x in 0..<width {
                            let x0 = max(0, x - r), x1 = min(width, x + r + 1)
                            let total = Int(sum[y1 * stride + x1] &- sum[y0 * stride + x1] &- sum[y1 * stride + x0] &+ sum[y0 * stride + x0])
                            let count = (y1 - y0) * (x1 - x0)
                            if Int(src[y * width + x]) * count < total - offset * count { dst[y * width + x] = 0 }
                        }
                    }
                }
            }
        }
        return GrayImage(pixels: out, width: width, height: height)
    }

    /// Horizontal running-sum box filter.
    private static func boxColumns(_ input: [UInt8], _ width: Int, _ height: Int, _ r: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: input.count)
        let n = 2 * r + 1
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let base = y * width
                    func at(_ x: Int) -> Int { Int(src[base + min(max(x, 0), width - 1)]) }
                    var sum = 0
                    for x in -r...r { sum += at(x) }
                    for x in 0..<width {
                        dst[base + x] = UInt8((sum + n / 2) / n)
                        sum += at(x + r + 1) - at(x - r)
                    }
                }
            }
        }
        return out
    }

    /// Vertical running-sum box filter.
    private static func boxRows(_ input: [UInt8], _ width: Int, _ height: Int, _ r: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: input.count)
        let n = 2 * r + 1
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var sums = [Int](repeating: 0, count: width)
                func at(_ x: Int, _ y: Int) -> Int { Int(src[min(max(y, 0), height - 1) * width + x]) }
                for x in 0..<width {
                    for y in -r...r { sums[x] += at(x, y) }
                }
                for y in 0..<height {
                    for x in 0..<width {
                        dst[y * width + x] = UInt8((sums[x] + n / 2) / n)
                        sums[x] += at(x, y + r + 1) - at(x, y - r)
                    }
                }
            }
        }
        return out
    }
}

extension GrayImage {
    /// The edge of an image that a keystone correction shortens.
    enum Edge: CaseIterable { case top, bottom, left, right }

    /// The image with `edge` shortened by `amount` of its length, the opposite edge kept: undoes a camera
    /// tilted towards that edge (whose far edge looks short). zbar reads an affine-distorted code, but its
    /// finder-pattern geometry gives up beyond about a tenth of keystone; a few fixed corrections bring
    /// any tilt back within that (docs/DEGRADATION.md).
    /// Also returns the map from the result's coordinates to this image's.
    func keystoned(_ edge: Edge, amount: Double) -> (GrayImage, Homography) {
        let w = Double(width), h = Double(height)
        let i = amount * (edge == .top || edge == .bottom ? w : h) / 2
        // Output corners (top-left, top-right, bottom-right, bottom-left) and the source points they show.
        let source: [(Double, Double)] = [(0, 0), (w, 0), (w, h), (0, h)]
        var target = source
        switch edge {
        case .top: target[0] = (i, 0); target[1] = (w - i, 0)
        case .bottom: target[3] = (i, h); target[2] = (w - i, h)
        case .left: target[0] = (0, i); target[3] = (0, h - i)
        case .right: target[1] = (w, i); target[2] = (w, h - i)
        }
        // Four corners of a non-empty rectangle: never collinear, so the map always exists.
        let map = Homography(from: target, to: source) ?? Homography.identity
        return (warped(map), map)
    }

    /// Each output pixel sampled (bilinear) at `map(x, y)` in this image; outside it, white paper.
    func warped(_ map: Homography) -> GrayImage {
        var out = [UInt8](repeating: 255, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for x in 0..<width {
                        let (sx, sy) = map.apply(Double(x) + 0.5, Double(y) + 0.5)
                        let fx = sx - 0.5, fy = sy - 0.5
                        guard fx >= 0, fy >= 0, fx < Double(width - 1), fy < Double(height - 1) else { continue }
                        let x0 = Int(fx), y0 = Int(fy)
                        let ax = fx - Double(x0), ay = fy - Double(y0)
                        let p = y0 * width + x0
                        let top = Double(src[p]) * (1 - ax) + Double(src[p + 1]) * ax
                        let bottom = Double(src[p + width]) * (1 - ax) + Double(src[p + width + 1]) * ax
                        dst[y * width + x] = UInt8(top * (1 - ay) + bottom * ay + 0.5)
                    }
                }
            }
        }
        return GrayImage(pixels: out, width: width, height: height)
    }
}

/// A plane projective map (3x3 matrix, last entry 1), found from four point pairs.
struct Homography: Sendable {
    private let m: [Double]

    /// The map that moves nothing.
    static let identity = Homography(matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1])

    private init(matrix: [Double]) { m = matrix }

    /// The map sending each of the four `from` points to the `to` point at the same index; nil when
    /// three of them are collinear.
    init?(from: [(Double, Double)], to: [(Double, Double)]) {
        // x' = (a x + b y + c) / (g x + h y + 1), y' = (d x + e y + f) / (g x + h y + 1): 8 linear equations.
        var rows: [[Double]] = []
        for ((x, y), (u, v)) in zip(from, to) {
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
            rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
        }
        // Gaussian elimination with partial pivoting.
        for column in 0..<8 {
            guard let pivot = (column..<8).max(by: { abs(rows[$0][column]) < abs(rows[$1][column]) }),
                  abs(rows[pivot][column]) > 1e-12 else { return nil }
            rows.swapAt(column, pivot)
            for r in 0..<8 where r != column {
                let factor = rows[r][column] / rows[column][column]
                if factor == 0 { continue }
                for c in column..<9 { rows[r][c] -= factor * rows[column][c] }
            }
        }
        m = (0..<8).map { rows[$0][8] / rows[$0][$0] } + [1]
    }

    /// The image of the point (x, y).
    func apply(_ x: Double, _ y: Double) -> (Double, Double) {
        let d = m[6] * x + m[7] * y + m[8]
        return ((m[0] * x + m[1] * y + m[2]) / d, (m[3] * x + m[4] * y + m[5]) / d)
    }
}
