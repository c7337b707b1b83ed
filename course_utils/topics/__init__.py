"""One module per lecture, named like its notebook without the number.

======================  =========================================================
module                  lecture
======================  =========================================================
``backprop``            00: the perceptron, activations, backpropagation by hand
``conv_arithmetic``     01: output sizes, padding, stride; what a trained CNN learns
``pooling``             02: max and average pooling, their gradients
``alexnet_vgg``         03: the seed's networks, each layer's cost, ResNet, AlexNet's recipe
``rnn_gradients``       04: exploding and vanishing gradients through time
``lstm_gates``          05: what an LSTM cell's gates do, step by step; the cell's diagram
``vae``                 06: latent spaces of autoencoders and VAEs
``gan_minimax``         07: GAN densities, discriminators and mode coverage
======================  =========================================================

Each holds the pure functions behind the lecture's explorers and its ``draw_*`` figure
functions. None of them computes the answer of a graded exercise.
"""
