#ifndef QRCERT_CCAIRO_H
#define QRCERT_CCAIRO_H
// The part of cairo (PDF and SVG surfaces), pango/pangocairo (text layout) and fontconfig (an explicit font set)
// that QRCertPrint uses, imported by QRCertPrint only. Nothing of them is linked: qrcert_print_libraries_load()
// dlopen()s them the first time a print layout is made, so that verify, issue to PNG and every other command start
// without loading and relocating the print stack (cairo, pango, harfbuzz, freetype, fontconfig, glib: over twenty
// libraries, about a third of a start-up; docs/PERFORMANCE.md).
//
// The declarations are those of the system headers (cairo 1.16, pango 1.50, fontconfig 2.14), written out here so
// that no include path and no library comes from pkg-config. QRCertPrintTests compiles this header against the
// system headers (QRCERT_CCAIRO_CHECK: every prototype must agree, every constant and layout below is asserted).
#include <stddef.h>

#ifndef QRCERT_CCAIRO_CHECK
typedef int FcBool;
typedef unsigned char FcChar8;
typedef int gboolean;
typedef void *gpointer;

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef struct _cairo_font_options cairo_font_options_t;
typedef struct _cairo_rectangle {
    double x, y, width, height;
} cairo_rectangle_t;

typedef struct _PangoContext PangoContext;
typedef struct _PangoFontMap PangoFontMap;
typedef struct _PangoFcFontMap PangoFcFontMap;
typedef struct _PangoLayout PangoLayout;
typedef struct _PangoFontDescription PangoFontDescription;
typedef struct _PangoAttrList PangoAttrList;
typedef struct _PangoAttrClass PangoAttrClass;
typedef struct _PangoAttribute {
    const PangoAttrClass *klass;
    unsigned int start_index;
    unsigned int end_index;
} PangoAttribute;

typedef struct _FcConfig FcConfig;
typedef struct _FcPattern FcPattern;

// Only the constants QRCertPrint uses; the values are the headers' (checked as above). One per line: the check
// reads them from here.
typedef enum _cairo_status {
    CAIRO_STATUS_SUCCESS = 0,
    CAIRO_STATUS_WRITE_ERROR = 11,
} cairo_status_t;
typedef enum _cairo_pdf_version {
    CAIRO_PDF_VERSION_1_5 = 1,
} cairo_pdf_version_t;
typedef enum _cairo_pdf_metadata {
    CAIRO_PDF_METADATA_TITLE = 0,
    CAIRO_PDF_METADATA_CREATOR = 4,
    CAIRO_PDF_METADATA_CREATE_DATE = 5,
    CAIRO_PDF_METADATA_MOD_DATE = 6,
} cairo_pdf_metadata_t;
typedef enum _cairo_svg_version {
    CAIRO_SVG_VERSION_1_1 = 0,
} cairo_svg_version_t;
typedef enum _cairo_hint_style {
    CAIRO_HINT_STYLE_NONE = 1,
} cairo_hint_style_t;
typedef enum _cairo_hint_metrics {
    CAIRO_HINT_METRICS_OFF = 1,
} cairo_hint_metrics_t;
typedef enum _cairo_antialias {
    CAIRO_ANTIALIAS_GRAY = 2,
} cairo_antialias_t;
typedef enum _cairo_content {
    CAIRO_CONTENT_COLOR_ALPHA = 0x3000,
} cairo_content_t;
typedef enum _cairo_font_type {
    CAIRO_FONT_TYPE_FT = 1,
} cairo_font_type_t;
typedef enum {
    PANGO_WEIGHT_NORMAL = 400,
    PANGO_WEIGHT_BOLD = 700,
} PangoWeight;
typedef enum {
    PANGO_WRAP_WORD_CHAR = 2,
} PangoWrapMode;
typedef enum {
    PANGO_ALIGN_LEFT = 0,
    PANGO_ALIGN_CENTER = 1,
    PANGO_ALIGN_RIGHT = 2,
} PangoAlignment;
typedef enum _FcResult {
    FcResultMatch = 0,
    FcResultNoMatch = 1,
} FcResult;
typedef enum _FcMatchKind {
    FcMatchPattern = 0,
} FcMatchKind;
#define PANGO_SCALE 1024

typedef cairo_status_t (*cairo_write_func_t)(void *closure, const unsigned char *data, unsigned int length);
#endif

/// Every function used, with the library that defines it:
/// F(library, return type, name, parameters, arguments) for functions with a result, V(...) for void ones.
#define QRCERT_PRINT_FUNCTIONS(F, V) \
    F(CAIRO, cairo_surface_t *, cairo_pdf_surface_create_for_stream, (cairo_write_func_t write_func, void *closure, double width_in_points, double height_in_points), (write_func, closure, width_in_points, height_in_points)) \
    V(CAIRO, void, cairo_pdf_surface_restrict_to_version, (cairo_surface_t *surface, cairo_pdf_version_t version), (surface, version)) \
    V(CAIRO, void, cairo_pdf_surface_set_metadata, (cairo_surface_t *surface, cairo_pdf_metadata_t metadata, const char *utf8), (surface, metadata, utf8)) \
    F(CAIRO, cairo_surface_t *, cairo_svg_surface_create_for_stream, (cairo_write_func_t write_func, void *closure, double width_in_points, double height_in_points), (write_func, closure, width_in_points, height_in_points)) \
    V(CAIRO, void, cairo_svg_surface_restrict_to_version, (cairo_surface_t *surface, cairo_svg_version_t version), (surface, version)) \
    F(CAIRO, cairo_status_t, cairo_surface_status, (cairo_surface_t *surface), (surface)) \
    V(CAIRO, void, cairo_surface_destroy, (cairo_surface_t *surface), (surface)) \
    F(CAIRO, cairo_t *, cairo_create, (cairo_surface_t *target), (target)) \
    V(CAIRO, void, cairo_scale, (cairo_t *cr, double sx, double sy), (cr, sx, sy)) \
    F(PANGO, PangoContext *, pango_font_map_create_context, (PangoFontMap *fontmap), (fontmap)) \
    F(CAIRO, cairo_font_options_t *, cairo_font_options_create, (void), ()) \
    V(CAIRO, void, cairo_font_options_set_hint_style, (cairo_font_options_t *options, cairo_hint_style_t hint_style), (options, hint_style)) \
    V(CAIRO, void, cairo_font_options_set_hint_metrics, (cairo_font_options_t *options, cairo_hint_metrics_t hint_metrics), (options, hint_metrics)) \
    V(CAIRO, void, cairo_font_options_set_antialias, (cairo_font_options_t *options, cairo_antialias_t antialias), (options, antialias)) \
    V(PANGOCAIRO, void, pango_cairo_context_set_font_options, (PangoContext *context, const cairo_font_options_t *options), (context, options)) \
    V(CAIRO, void, cairo_font_options_destroy, (cairo_font_options_t *options), (options)) \
    V(PANGO, void, pango_context_set_round_glyph_positions, (PangoContext *context, gboolean round_positions), (context, round_positions)) \
    V(PANGOCAIRO, void, pango_cairo_update_context, (cairo_t *cr, PangoContext *context), (cr, context)) \
    V(GOBJECT, void, g_object_unref, (gpointer object), (object)) \
    V(CAIRO, void, cairo_destroy, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_surface_finish, (cairo_surface_t *surface), (surface)) \
    F(CAIRO, cairo_surface_t *, cairo_recording_surface_create, (cairo_content_t content, const cairo_rectangle_t *extents), (content, extents)) \
    V(CAIRO, void, cairo_rectangle, (cairo_t *cr, double x, double y, double width, double height), (cr, x, y, width, height)) \
    V(CAIRO, void, cairo_set_source_rgb, (cairo_t *cr, double red, double green, double blue), (cr, red, green, blue)) \
    V(CAIRO, void, cairo_fill, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_save, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_translate, (cairo_t *cr, double tx, double ty), (cr, tx, ty)) \
    V(CAIRO, void, cairo_set_source_surface, (cairo_t *cr, cairo_surface_t *surface, double x, double y), (cr, surface, x, y)) \
    V(CAIRO, void, cairo_paint, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_restore, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_new_path, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_move_to, (cairo_t *cr, double x, double y), (cr, x, y)) \
    V(CAIRO, void, cairo_line_to, (cairo_t *cr, double x, double y), (cr, x, y)) \
    V(CAIRO, void, cairo_set_line_width, (cairo_t *cr, double width), (cr, width)) \
    V(CAIRO, void, cairo_stroke, (cairo_t *cr), (cr)) \
    V(CAIRO, void, cairo_show_page, (cairo_t *cr), (cr)) \
    F(CAIRO, const char *, cairo_status_to_string, (cairo_status_t status), (status)) \
    F(PANGO, PangoLayout *, pango_layout_new, (PangoContext *context), (context)) \
    F(PANGO, PangoFontDescription *, pango_font_description_new, (void), ()) \
    V(PANGO, void, pango_font_description_set_family, (PangoFontDescription *desc, const char *family), (desc, family)) \
    V(PANGO, void, pango_font_description_set_weight, (PangoFontDescription *desc, PangoWeight weight), (desc, weight)) \
    V(PANGO, void, pango_font_description_set_absolute_size, (PangoFontDescription *desc, double size), (desc, size)) \
    V(PANGO, void, pango_layout_set_font_description, (PangoLayout *layout, const PangoFontDescription *desc), (layout, desc)) \
    V(PANGO, void, pango_font_description_free, (PangoFontDescription *desc), (desc)) \
    V(PANGO, void, pango_layout_set_width, (PangoLayout *layout, int width), (layout, width)) \
    V(PANGO, void, pango_layout_set_wrap, (PangoLayout *layout, PangoWrapMode wrap), (layout, wrap)) \
    V(PANGO, void, pango_layout_set_indent, (PangoLayout *layout, int indent), (layout, indent)) \
    V(PANGO, void, pango_layout_set_alignment, (PangoLayout *layout, PangoAlignment alignment), (layout, alignment)) \
    V(PANGO, void, pango_layout_set_text, (PangoLayout *layout, const char *text, int length), (layout, text, length)) \
    F(PANGO, PangoAttrList *, pango_attr_list_new, (void), ()) \
    F(PANGO, PangoAttribute *, pango_attr_weight_new, (PangoWeight weight), (weight)) \
    V(PANGO, void, pango_attr_list_insert, (PangoAttrList *list, PangoAttribute *attr), (list, attr)) \
    V(PANGO, void, pango_layout_set_attributes, (PangoLayout *layout, PangoAttrList *attrs), (layout, attrs)) \
    V(PANGO, void, pango_attr_list_unref, (PangoAttrList *list), (list)) \
    V(PANGO, void, pango_layout_get_size, (PangoLayout *layout, int *width, int *height), (layout, width, height)) \
    F(PANGO, int, pango_layout_get_unknown_glyphs_count, (PangoLayout *layout), (layout)) \
    F(PANGO, int, pango_layout_get_line_count, (PangoLayout *layout), (layout)) \
    V(PANGOCAIRO, void, pango_cairo_show_layout, (cairo_t *cr, PangoLayout *layout), (cr, layout)) \
    F(FONTCONFIG, FcConfig *, FcConfigCreate, (void), ()) \
    F(FONTCONFIG, FcBool, FcConfigAppFontAddFile, (FcConfig *config, const FcChar8 *file), (config, file)) \
    V(FONTCONFIG, void, FcConfigDestroy, (FcConfig *config), (config)) \
    F(PANGOCAIRO, PangoFontMap *, pango_cairo_font_map_new_for_font_type, (cairo_font_type_t fonttype), (fonttype)) \
    V(PANGOFT2, void, pango_fc_font_map_set_config, (PangoFcFontMap *fcfontmap, FcConfig *fcconfig), (fcfontmap, fcconfig)) \
    F(FONTCONFIG, FcPattern *, FcPatternCreate, (void), ()) \
    V(FONTCONFIG, void, FcPatternDestroy, (FcPattern *p), (p)) \
    F(FONTCONFIG, FcBool, FcPatternAddString, (FcPattern *p, const char *object, const FcChar8 *s), (p, object, s)) \
    F(FONTCONFIG, FcBool, FcConfigSubstitute, (FcConfig *config, FcPattern *p, FcMatchKind kind), (config, p, kind)) \
    V(FONTCONFIG, void, FcDefaultSubstitute, (FcPattern *pattern), (pattern)) \
    F(FONTCONFIG, FcPattern *, FcFontMatch, (FcConfig *config, FcPattern *p, FcResult *result), (config, p, result)) \
    F(FONTCONFIG, FcResult, FcPatternGetString, (const FcPattern *p, const char *object, int n, FcChar8 **s), (p, object, n, s))

#define QRCERT_PRINT_DECLARE(library, result, name, parameters, arguments) result name parameters;
QRCERT_PRINT_FUNCTIONS(QRCERT_PRINT_DECLARE, QRCERT_PRINT_DECLARE)
#undef QRCERT_PRINT_DECLARE

/// PANGO_FC_FONT_MAP is a GObject cast macro: a font map made for CAIRO_FONT_TYPE_FT is a PangoFcFontMap.
static inline PangoFcFontMap *qrcert_pango_fc_font_map(PangoFontMap *map) { return (PangoFcFontMap *)map; }

/// Loads the libraries and every function above, once per process (later calls return the first call's result).
/// 0 on success; otherwise nonzero, with dlerror()'s message (which names the library or the symbol) in `err`.
/// No function above may be called before it has succeeded.
int qrcert_print_libraries_load(char *err, size_t errlen);

#endif
