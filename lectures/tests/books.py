"""A small book written for the lecture tests: varied sentences, definitions and a formula."""

BAKING_MD = """# Bread from First Principles

*By a Test Author*

## Chapter 1 Flour and Water

### What flour is made of

Flour is the finely ground endosperm of the wheat grain, and most of it is starch. The proteins in
flour matter far more than their share of the weight suggests. Gluten is the elastic network that
forms when the proteins glutenin and gliadin meet water. A strong flour contains more protein, so it
can build a stronger network and hold more gas. Weak flours, such as those milled from soft wheat,
suit cakes and biscuits better than loaves.

The bran and germ are removed in white flour, while wholemeal flour keeps them. Bran particles cut
through the gluten network, which is one reason wholemeal loaves rise less. Millers blend wheats from
different harvests so that a bag of flour behaves the same way from one month to the next. Ash content
measures the mineral residue left after burning a sample, and it tells a baker how much bran remains.

### Hydration

Hydration is the weight of water divided by the weight of flour, expressed as a percentage. A dough
made with 700 grams of water and 1000 grams of flour has a hydration of seventy percent. Baker's
percentage = ingredient weight / flour weight x 100, so flour is always one hundred percent. Wetter
doughs ferment faster and give a more open crumb, but they are harder to shape. Drier doughs are easy
to handle and give a tight, even crumb that suits sandwich loaves.

Water temperature is the baker's main control over dough temperature. A dough that finishes mixing at
twenty-four degrees ferments at a predictable pace. Cold water slows everything down and gives the
baker more time to work. Salt tightens the gluten network and slows the yeast, so it is usually added
after the flour has absorbed the water.

## Chapter 2 Fermentation

### Yeast and its work

Yeast is a single-celled fungus that feeds on the sugars released from starch. As it feeds it gives
off carbon dioxide and alcohol, and the gas inflates the gluten network like a balloon. Fermentation
also makes flavour: acids and aromatic compounds accumulate the longer the dough rests. A dough that
ferments slowly in the cold develops a deeper, more complex taste than one rushed in a warm kitchen.

Commercial yeast works quickly and predictably because it is a single selected strain. A sourdough
starter is a culture of wild yeasts and lactic acid bacteria kept alive by regular feeding. The
bacteria produce lactic and acetic acids, which give sourdough its tang and help it keep for longer.
Bakers refresh a starter by discarding part of it and adding fresh flour and water.

### Proofing

Proofing is the final rise of the shaped loaf before it goes into the oven. An underproofed loaf tears
open in the oven because the gluten is still tight and the yeast still has plenty of food. An
overproofed loaf collapses because the network has stretched too far and can no longer hold the gas.
The poke test helps: a finger pressed into the dough should leave a dent that springs back slowly.

Retarding is the practice of proofing shaped loaves in the refrigerator overnight. It fits baking
around a working day and deepens the flavour at the same time. A retarded loaf can go straight from
the refrigerator into a hot oven, and the cold dough is easier to score cleanly.

## Chapter 3 Baking

### Oven spring

Oven spring is the rapid rise of a loaf during the first minutes of baking. Heat makes the gas expand,
the yeast makes a last burst of carbon dioxide, and water turns to steam inside the crumb. Steam in the
oven keeps the crust soft for those first minutes so that the loaf can expand freely. Once the crust
sets, the loaf cannot grow any further, so the early minutes decide its final volume.

Scoring is the cut a baker makes across the top of the loaf just before baking. A score gives the
expanding dough a planned place to open instead of a random tear at the side. The angle and depth of
the blade change how the crust lifts into an ear along the cut.

### Crust and crumb

The Maillard reaction between sugars and proteins browns the crust and creates hundreds of flavour
compounds. Caramelisation of sugars adds bitter and sweet notes at higher temperatures. A loaf is
baked through when its centre reaches about ninety-six degrees, and a hollow sound from the base is
the traditional test. Cooling matters too: the crumb keeps setting as moisture moves outwards, so a
loaf cut hot is gummy inside.

Staling is not drying out but the slow recrystallisation of starch after baking. Bread stales fastest
at refrigerator temperatures, which is why a loaf keeps better at room temperature or frozen. Warming
stale bread in the oven briefly reverses the recrystallisation and softens the crumb again.
"""
