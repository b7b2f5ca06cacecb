;; The plane engine's first test of a polygon against every breakpoint line of an elementwise
;; step (plane.ts, cutElementwise): for unit j and breakpoint t, the line a + b u + c v = 0 with
;; a = z0[j] - t, b = z1[j], c = z2[j] is evaluated at the polygon's centroid (cu, cv), and it has
;; one sign over the whole polygon when |fc| exceeds the bound
;;   bound = (|b| pu + |c| pv + base + K |a| + ea) (1 + 64 eps) + 2^-1000,
;; ea = e0 (t = 0) or e0 + 2 eps |z0[j]| (see plane.ts for pu, pv, base and K). Same operations
;; in the same order as plane.ts would do them, so the same decisions to the bit.
;; full[j] (bytes) gets the number of breakpoints decided below the unit's input; the undecided
;; (j, breakpoint) pairs go to `undecided`, in order, as i32 pairs; their count is returned.
;; c holds the f64 constants cu, cv, pu, pv, base, K, e0.
;; Regenerate plane-filter-wasm.ts after editing: `npx tsx scripts/build-engine-wasm.ts`.
(module
  (memory (export "memory") 4)
  (func (export "filter")
    (param $z i32) (param $n i32) (param $t i32) (param $tn i32) (param $c i32) (param $full i32) (param $undecided i32)
    (result i32)
    (local $j i32) (local $bp i32) (local $count i32) (local $state i32) (local $zj i32) (local $nb i32)
    (local $cu f64) (local $cv f64) (local $pu f64) (local $pv f64) (local $base f64) (local $K f64) (local $e0 f64)
    (local $z0 f64) (local $b f64) (local $cc f64) (local $unit f64) (local $tb f64) (local $a f64) (local $ea f64)
    (local $fc f64) (local $bound f64)
    (local.set $cu (f64.load offset=0 (local.get $c)))
    (local.set $cv (f64.load offset=8 (local.get $c)))
    (local.set $pu (f64.load offset=16 (local.get $c)))
    (local.set $pv (f64.load offset=24 (local.get $c)))
    (local.set $base (f64.load offset=32 (local.get $c)))
    (local.set $K (f64.load offset=40 (local.get $c)))
    (local.set $e0 (f64.load offset=48 (local.get $c)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $z0 (f64.load (local.get $zj)))
        (local.set $b (f64.load (i32.add (local.get $zj) (local.get $nb))))
        (local.set $cc (f64.load (i32.add (i32.add (local.get $zj) (local.get $nb)) (local.get $nb))))
        (local.set $unit (f64.add (f64.add (f64.mul (f64.abs (local.get $b)) (local.get $pu)) (f64.mul (f64.abs (local.get $cc)) (local.get $pv)))
          (local.get $base)))
        (local.set $state (i32.const 0))
        (local.set $bp (i32.const 0))
        (block $bps_done
          (loop $bps
            (br_if $bps_done (i32.ge_u (local.get $bp) (local.get $tn)))
            (local.set $tb (f64.load (i32.add (local.get $t) (i32.shl (local.get $bp) (i32.const 3)))))
            (local.set $a (f64.sub (local.get $z0) (local.get $tb)))
            (local.set $ea (select (local.get $e0)
              (f64.add (local.get $e0) (f64.mul (f64.const 0x1p-52) (f64.abs (local.get $z0))))
              (f64.eq (local.get $tb) (f64.const 0))))
            (local.set $fc (f64.add (f64.add (local.get $a) (f64.mul (local.get $b) (local.get $cu))) (f64.mul (local.get $cc) (local.get $cv))))
            (local.set $bound (f64.add
              (f64.mul (f64.add (f64.add (local.get $unit) (f64.mul (local.get $K) (f64.abs (local.get $a)))) (local.get $ea))
                (f64.const 0x1.000000000002p+0))
              (f64.const 0x1p-1000)))
            (if (f64.gt (f64.abs (local.get $fc)) (local.get $bound))
              (then (local.set $state (i32.add (local.get $state) (f64.gt (local.get $fc) (f64.const 0)))))
              (else
                (i32.store offset=0 (local.get $undecided) (local.get $j))
                (i32.store offset=4 (local.get $undecided) (local.get $bp))
                (local.set $undecided (i32.add (local.get $undecided) (i32.const 8)))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (local.set $bp (i32.add (local.get $bp) (i32.const 1)))
            (br $bps)))
        (i32.store8 (i32.add (local.get $full) (local.get $j)) (local.get $state))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units)))
    (local.get $count));; The vertex tests that follow the filter for its undecided (j, breakpoint) pairs (plane.ts,
;; cutElementwise, the first pass with the channel's bounds): at every vertex (u, v, err) of the
;; polygon (f64 triples at $poly), f = a + b u + c v against
;;   bound = (|b| + |c| + e1 + e2) err + 4 eps (|a| + |b u| + |c v|) + ea + e1 |u| + e2 |v|,
;; ea = e0 + (t = 0 ? 0 : 2 eps |z0[j]|), in plane.ts's order. out[p] (i32) = 1 when some vertex
;; is above its bound, | 2 when some is below -bound, | 4 when some is within it (plane.ts then
;; runs its own tests for that pair: the unit's own bounds, exact signs).
;; c holds cu, cv, pu, pv, base, K, e0 (the filter's), then e1, e2.
(func (export "vertexTests")
  (param $z i32) (param $n i32) (param $t i32) (param $pairs i32) (param $count i32) (param $poly i32) (param $vn i32)
  (param $c i32) (param $out i32)
  (local $p i32) (local $k i32) (local $j i32) (local $zj i32) (local $nb i32) (local $code i32) (local $at i32)
  (local $e0 f64) (local $e1 f64) (local $e2 f64) (local $z0 f64) (local $b f64) (local $cc f64) (local $slack f64)
  (local $tb f64) (local $a f64) (local $ea f64) (local $u f64) (local $v f64) (local $bu f64) (local $cw f64)
  (local $f f64) (local $bound f64)
  (local.set $e0 (f64.load offset=48 (local.get $c)))
  (local.set $e1 (f64.load offset=56 (local.get $c)))
  (local.set $e2 (f64.load offset=64 (local.get $c)))
  (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
  (block $pairs_done
    (loop $pairs_loop
      (br_if $pairs_done (i32.ge_u (local.get $p) (local.get $count)))
      (local.set $j (i32.load (i32.add (local.get $pairs) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $tb (f64.load (i32.add (local.get $t)
        (i32.shl (i32.load offset=4 (i32.add (local.get $pairs) (i32.shl (local.get $p) (i32.const 3)))) (i32.const 3)))))
      (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $z0 (f64.load (local.get $zj)))
      (local.set $b (f64.load (i32.add (local.get $zj) (local.get $nb))))
      (local.set $cc (f64.load (i32.add (i32.add (local.get $zj) (local.get $nb)) (local.get $nb))))
      (local.set $slack (f64.add (f64.abs (local.get $b)) (f64.abs (local.get $cc))))
      (local.set $a (f64.sub (local.get $z0) (local.get $tb)))
      (local.set $ea (f64.add (local.get $e0)
        (select (f64.const 0) (f64.mul (f64.const 0x1p-52) (f64.abs (local.get $z0))) (f64.eq (local.get $tb) (f64.const 0)))))
      (local.set $code (i32.const 0))
      (local.set $k (i32.const 0))
      (block $vertices_done
        (loop $vertices
          (br_if $vertices_done (i32.ge_u (local.get $k) (local.get $vn)))
          (local.set $at (i32.add (local.get $poly) (i32.mul (local.get $k) (i32.const 24))))
          (local.set $u (f64.load (local.get $at)))
          (local.set $v (f64.load offset=8 (local.get $at)))
          (local.set $bu (f64.mul (local.get $b) (local.get $u)))
          (local.set $cw (f64.mul (local.get $cc) (local.get $v)))
          (local.set $f (f64.add (f64.add (local.get $a) (local.get $bu)) (local.get $cw)))
          (local.set $bound (f64.add (f64.add (f64.add (f64.add
            (f64.mul (f64.add (f64.add (local.get $slack) (local.get $e1)) (local.get $e2)) (f64.load offset=16 (local.get $at)))
            (f64.mul (f64.const 0x1p-51) (f64.add (f64.add (f64.abs (local.get $a)) (f64.abs (local.get $bu))) (f64.abs (local.get $cw)))))
            (local.get $ea))
            (f64.mul (local.get $e1) (f64.abs (local.get $u))))
            (f64.mul (local.get $e2) (f64.abs (local.get $v)))))
          (if (f64.gt (local.get $f) (local.get $bound))
            (then (local.set $code (i32.or (local.get $code) (i32.const 1))))
            (else (if (f64.gt (f64.neg (local.get $f)) (local.get $bound))
              (then (local.set $code (i32.or (local.get $code) (i32.const 2))))
              (else (local.set $code (i32.or (local.get $code) (i32.const 4)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $vertices)))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 2))) (local.get $code))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pairs_loop))))

;; A polygon (f64 triples u, v, err at $poly) against the listed lines of a cut (plane.ts, cutBy):
;; line m is the f64 sextuple a, b, c, ea, eb, ec at $lines + 48 m, and list holds count line
;; numbers (i32). The float stage of geometry/polygon.ts's vertexSign at every vertex:
;;   f = a + b u + c v against (|b| + |c| + eb + ec) err + 4 eps (|a| + |b u| + |c v|) + coef,
;;   coef = ea + eb |u| + ec |v|,
;; and out[i] (i32) = classify's answer when every vertex is decided (1 wholly plus, 2 wholly
;; minus, 4 split), else 0: plane.ts classifies that line itself (ties, exact signs).
(func (export "classifyLines")
  (param $lines i32) (param $list i32) (param $count i32) (param $poly i32) (param $vn i32) (param $out i32)
  (local $i i32) (local $k i32) (local $at i32) (local $plus i32) (local $minus i32) (local $code i32)
  (local $a f64) (local $b f64) (local $cc f64) (local $ea f64) (local $eb f64) (local $ec f64) (local $slack f64)
  (local $u f64) (local $v f64) (local $bu f64) (local $cv f64) (local $f f64) (local $bound f64)
  (block $lines_done
    (loop $lines_loop
      (br_if $lines_done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $at (i32.add (local.get $lines)
        (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 48))))
      (local.set $a (f64.load (local.get $at)))
      (local.set $b (f64.load offset=8 (local.get $at)))
      (local.set $cc (f64.load offset=16 (local.get $at)))
      (local.set $ea (f64.load offset=24 (local.get $at)))
      (local.set $eb (f64.load offset=32 (local.get $at)))
      (local.set $ec (f64.load offset=40 (local.get $at)))
      (local.set $slack (f64.add (f64.add (f64.add (f64.abs (local.get $b)) (f64.abs (local.get $cc))) (local.get $eb)) (local.get $ec)))
      (local.set $plus (i32.const 0))
      (local.set $minus (i32.const 0))
      (local.set $code (i32.const -1))
      (local.set $k (i32.const 0))
      (block $vertices_done
        (loop $vertices
          (br_if $vertices_done (i32.ge_u (local.get $k) (local.get $vn)))
          (local.set $at (i32.add (local.get $poly) (i32.mul (local.get $k) (i32.const 24))))
          (local.set $u (f64.load (local.get $at)))
          (local.set $v (f64.load offset=8 (local.get $at)))
          (local.set $bu (f64.mul (local.get $b) (local.get $u)))
          (local.set $cv (f64.mul (local.get $cc) (local.get $v)))
          (local.set $f (f64.add (f64.add (local.get $a) (local.get $bu)) (local.get $cv)))
          (local.set $bound (f64.add
            (f64.add
              (f64.mul (local.get $slack) (f64.load offset=16 (local.get $at)))
              (f64.mul (f64.const 0x1p-51) (f64.add (f64.add (f64.abs (local.get $a)) (f64.abs (local.get $bu))) (f64.abs (local.get $cv)))))
            (f64.add (f64.add (local.get $ea) (f64.mul (local.get $eb) (f64.abs (local.get $u)))) (f64.mul (local.get $ec) (f64.abs (local.get $v))))))
          (if (f64.gt (local.get $f) (local.get $bound))
            (then (local.set $plus (i32.const 1)))
            (else (if (f64.gt (f64.neg (local.get $f)) (local.get $bound))
              (then (local.set $minus (i32.const 1)))
              (else (local.set $code (i32.const 0)) (br $vertices_done)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $vertices)))
      (if (i32.ne (local.get $code) (i32.const 0))
        (then (local.set $code (select (i32.const 4)
          (select (i32.const 1) (i32.const 2) (local.get $plus))
          (i32.and (local.get $plus) (local.get $minus))))))
      (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $code))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lines_loop))))
)
