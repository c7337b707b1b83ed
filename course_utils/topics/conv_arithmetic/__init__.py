"""Lecture 01, convolution arithmetic: where a filter goes, and what a small trained CNN learns.

- :mod:`.positions`: the filter's positions along one axis (:func:`sliding_positions`);
- :mod:`.window`: one position at a time (:func:`conv_window`) and the explorer's sliders;
- :mod:`.window_figures`: the explorer's figure (:func:`draw_conv_window`);
- :mod:`.features`: feature visualization after Zeiler & Fergus (top patches, occlusion);
- :mod:`.feature_figures`: the figures of that section.

Everything is re-exported here, so a notebook imports from ``course_utils.topics.conv_arithmetic``.
"""
from .feature_figures import draw_activation_maps, draw_filter_rows, draw_occlusion, draw_top_patches
from .features import TopPatches, neighbour_correlation, occlusion_map, top_patches
from .positions import SlidingPositions, sliding_positions
from .window import ConvWindow, conv_window, window_controls
from .window_figures import draw_conv_window, draw_sliding_positions

__all__ = ["SlidingPositions", "sliding_positions", "ConvWindow", "conv_window", "draw_conv_window",
           "draw_sliding_positions", "window_controls", "neighbour_correlation", "TopPatches",
           "top_patches", "occlusion_map", "draw_filter_rows", "draw_activation_maps",
           "draw_top_patches", "draw_occlusion"]
