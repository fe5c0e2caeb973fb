/// One way of looking at an image before zbar scans it. When no plain scan reads a code, `QRDecoder` runs every
/// pass and keeps every code any of them reads; docs/DEGRADATION.md measures what each pass buys on
/// photographed, scanned and printed codes.
struct DecodePass: Sendable {
    /// An image operation, applied in order.
    enum Step: Sendable {
        /// Noise averaged away (two 3x3 box blurs): sensor noise, toner speckle, print-and-scan.
        case smooth
        /// Local-mean threshold with a window of the image's shorter side / `divisor`, a pixel black when
        /// `offset` grey levels darker than its window: shadows, blur.
        case binarize(divisor: Int, offset: Int)
        /// Catmull-Rom enlargement: modules of 1-2 px, which zbar's finder search misses.
        case enlarge(Int)
        /// Keystone correction: a camera tilted towards one edge.
        case keystone(GrayImage.Edge, Double)
    }

    let steps: [Step]
    /// Skipped when the image it would start from has more pixels than this (enlargements of big photos
    /// would cost seconds and their modules are large enough anyway).
    let maxPixels: Int

    /// Passes run when no plain scan (the image and its halvings) read a code, on the working image: the
    /// image halved until it has at most `workingPixels` pixels.
    static let retries: [DecodePass] = {
        var passes: [DecodePass] = [
            DecodePass(steps: [.smooth], maxPixels: .max),
            DecodePass(steps: [.binarize(divisor: 16, offset: 10)], maxPixels: .max),
            DecodePass(steps: [.enlarge(3), .binarize(divisor: 16, offset: 10)], maxPixels: 500_000),
            DecodePass(steps: [.enlarge(3), .binarize(divisor: 32, offset: 10)], maxPixels: 500_000),
            // Blur leaves little contrast between neighbouring modules: a small window, a small offset.
            DecodePass(steps: [.enlarge(3), .binarize(divisor: 40, offset: 4)], maxPixels: 500_000),
            DecodePass(steps: [.enlarge(2), .binarize(divisor: 8, offset: 10)], maxPixels: 1_200_000),
        ]
        for amount in [0.12, 0.24] {
            for edge in GrayImage.Edge.allCases {
                passes.append(DecodePass(steps: [.keystone(edge, amount)], maxPixels: .max))
            }
        }
        // A camera tilted towards a corner: two edges at once.
        for (vertical, horizontal) in [(GrayImage.Edge.top, GrayImage.Edge.left), (.top, .right), (.bottom, .left), (.bottom, .right)] {
            passes.append(DecodePass(steps: [.keystone(vertical, 0.15), .keystone(horizontal, 0.15)], maxPixels: .max))
        }
        return passes
    }()

    /// Retries work on at most this many pixels: a 12-megapixel photo is retried at 3 megapixels.
    static let workingPixels = 3_200_000

    /// The first scans start on the image halved until it has at most this many pixels: a 1920x1080 frame
    /// at 960x540, a 4000x3000 photo at 1000x750 (zbar's time grows with the pixels: 16 and 18 ms there,
    /// against 91 and 390 ms for the whole images).
    static let firstPassPixels = 1_000_000

    /// A code read in a halved image ends the search there only if its modules are at least this wide.
    static let reducedModulePixels = 2.0

    /// The image after this pass's steps, and the map from its pixel coordinates back to the input's.
    func apply(to image: GrayImage) -> (GrayImage, toInput: @Sendable (Double, Double) -> (Double, Double)) {
        var result = image
        var maps: [@Sendable (Double, Double) -> (Double, Double)] = []
        for step in steps {
            switch step {
            case .smooth:
                result = result.boxBlurred(radius: 1).boxBlurred(radius: 1)
            case .binarize(let divisor, let offset):
                result = result.binarized(window: max(15, min(result.width, result.height) / divisor) | 1, offset: offset)
            case .enlarge(let factor):
                result = result.enlarged(by: factor)
                let f = Double(factor)
                maps.append { x, y in (x / f, y / f) }
            case .keystone(let edge, let amount):
                let (warped, map) = result.keystoned(edge, amount: amount)
                result = warped
                maps.append { x, y in map.apply(x, y) }
            }
        }
        let chain = maps
        return (result, { x, y in chain.reversed().reduce((x, y)) { point, map in map(point.0, point.1) } })
    }
}
