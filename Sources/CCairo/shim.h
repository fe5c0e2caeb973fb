#ifndef QRCERT_CCAIRO_SHIM_H
#define QRCERT_CCAIRO_SHIM_H
// cairo (PDF and SVG surfaces), pango/pangocairo (text layout) and fontconfig (an explicit font set),
// imported by QRCertPrint only.
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

// PANGO_FC_FONT_MAP is a GObject cast macro, which Swift does not import.
static inline PangoFcFontMap *qrcert_pango_fc_font_map(PangoFontMap *map) { return PANGO_FC_FONT_MAP(map); }
#endif
