"""Deterministic generator for the demo chat corpus shipped in `loraloop/demo/corpus/`.

Every text fragment below (topics, questions, answer sentences, follow-ups, openers, caveats)
was written by hand for this project. The generator combines them with templates and writes
one JSONL file per domain:

    python -m loraloop.demo.write_corpus        # from the repository root
    python loraloop/demo/write_corpus.py        # same thing

Standard library only. The only randomness is `random.Random` seeded from the fixed SEED,
so running it twice produces byte-identical files.

Topic block format (one block per domain and language):
    # key | name used in question templates ("-" = conversational topic, no templates)
    Q: a hand-written question for this topic (one or more)
    S: an answer sentence; the first one is the short "core" answer, the rest add detail
    F: a follow-up question that is vague on its own
    A: the answer to that follow-up
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

SEED = 20240611
RECORDS_PER_LANG = 150          # per domain and language: 150 en + 150 zh = 300 per domain
TWO_TURN_FRACTION = 0.20        # share of conversations with a follow-up turn
THIRD_TURN_FRACTION = 0.5       # of those, the share that goes on to a third turn (anti-repetition pairs need it)
HELDOUT_SLOTS = 3               # heldout when (7 * topic_slot + 3 * round) % 20 < 3  -> 15 %
CAVEAT_RATE = {"medical": 0.70, "finance": 0.75, "legal": 0.75, "general": 0.0}
MAX_CHARS = 880                 # hard cap on the total characters of one conversation
DOMAINS = ("medical", "finance", "legal", "general")
LANGS = ("en", "zh")
# A development script, not installed with the runtime: it writes the corpus the package ships.
OUT_DIR = Path(__file__).resolve().parent.parent / "loraloop" / "demo" / "corpus"

# --------------------------------------------------------------------------- medical / en
MEDICAL_EN = """
# headache | headaches
Q: I've had a dull headache all afternoon. What can I do about it?
Q: Why do I keep getting headaches after work?
S: Most headaches ease with rest, water and a break from screens.
S: A standard dose of paracetamol or ibuprofen usually helps, but avoid taking painkillers on more than a few days a week.
S: Common triggers include dehydration, skipped meals, poor sleep, stress and long hours at a desk.
S: Gentle neck stretches, fresh air and a regular sleep routine can reduce how often they come back.
S: A sudden, very severe headache, or one with fever, a stiff neck, confusion or weakness, needs urgent medical attention.
F: And what if it keeps coming back every week?
A: Frequent headaches are worth tracking in a diary, noting sleep, food, caffeine and screen time. Overusing painkillers can itself cause rebound headaches, so a regular pattern should be reviewed by a doctor.

# fever | a fever
Q: I've had a fever since last night. What should I do?
Q: My temperature is 38.5 degrees. Is that dangerous?
S: For most fevers, rest, drink plenty of fluids and check your temperature regularly.
S: A fever is usually the body fighting an infection and often settles within three days.
S: Paracetamol or ibuprofen can bring the temperature down and make you more comfortable.
S: Wear light clothing and keep the room cool rather than bundling up under heavy blankets.
S: A fever above 39.5 degrees, or one with a rash, stiff neck or trouble breathing, needs prompt care.
F: And what about giving fever medicine to a child?
A: Children can usually have paracetamol or ibuprofen in a dose based on their weight, but never give aspirin to children. Babies under three months with any fever should be checked by a doctor right away.

# blood_pressure | high blood pressure
Q: My blood pressure reading was 150 over 95. Should I be worried?
Q: How can I lower my blood pressure naturally?
S: High blood pressure often has no symptoms, so regular checks matter.
S: A reading that stays above about 140 over 90 is usually considered high.
S: Cutting down on salt, staying active and keeping a healthy weight can lower it.
S: Limiting alcohol and not smoking also protect your heart and blood vessels.
S: Many people also need daily medication, which works best when taken every day without gaps.
F: Do I have to take the pills for life?
A: Blood pressure medicine is often long term, but some people can reduce the dose after major lifestyle changes. Never stop it on your own, because the pressure can rise again quickly.

# diabetes | type 2 diabetes
Q: What are the early signs of type 2 diabetes?
Q: My fasting blood sugar came back a bit high. What does that mean?
S: Type 2 diabetes means the body struggles to keep blood sugar in range.
S: Early signs include thirst, frequent urination, tiredness and blurred vision, though many people notice nothing.
S: A simple blood test such as fasting glucose or HbA1c confirms the diagnosis.
S: Regular activity, weight loss and fewer sugary drinks can improve blood sugar a lot.
S: Good control protects the eyes, kidneys, nerves and heart over the long run.
F: And is it possible to reverse it?
A: Some people bring their blood sugar back to normal through significant weight loss and diet changes, especially early on. It still needs regular monitoring, because it can return if old habits come back.

# sleep | trouble sleeping
Q: I can't fall asleep at night. Any advice?
Q: I keep waking up at three in the morning and can't get back to sleep. What helps?
S: A regular sleep schedule is the most reliable way to sleep better.
S: Avoid caffeine after lunch and heavy meals or alcohol close to bedtime.
S: Keep the bedroom dark, quiet and cool, and put screens away an hour before bed.
S: If you lie awake for more than twenty minutes, get up and do something calm until you feel sleepy.
S: Ongoing insomnia can be linked to stress, low mood or sleep apnoea, which are all treatable.
F: What about sleeping pills?
A: Sleeping pills can help for a few nights but are not a good long-term fix, and some cause morning drowsiness or dependence. Behavioural therapy for insomnia tends to work better over time.

# vaccines | vaccines
Q: Are vaccines really safe?
Q: Should I get the flu vaccine this year?
S: Vaccines train the immune system to recognise an infection before you meet it.
S: They go through large safety trials and continue to be monitored after approval.
S: Common side effects are a sore arm, mild fever or tiredness for a day or two.
S: A yearly flu vaccine is especially recommended for older adults, pregnant women and people with chronic illness.
S: Vaccinating many people also protects those who cannot be vaccinated, such as newborns.
F: And what about the side effects?
A: Most side effects are mild and pass within two days, like a sore arm or a slight fever. Serious allergic reactions are very rare, which is why clinics ask you to wait a short while after the injection.

# allergies | seasonal allergies
Q: My nose runs and my eyes itch every spring. Is that hay fever?
Q: What's the best way to handle seasonal allergies?
S: Itchy eyes and sneezing every spring usually point to a pollen allergy.
S: Non-drowsy antihistamines are the usual first choice for symptom relief.
S: A steroid nasal spray used daily works well for a blocked or runny nose.
S: On high pollen days, keep windows closed and shower after being outside.
S: Wheezing, swelling of the lips or trouble breathing needs emergency care immediately.
F: Can children take the same medicine?
A: Many antihistamines come in children's versions with smaller doses, so check the label for the right age. For young children it is best to ask a pharmacist first.

# ankle | a sprained ankle
Q: I twisted my ankle playing football and it's swollen. What now?
Q: How long does a sprained ankle take to heal?
S: A sprained ankle needs rest, ice and elevation for the first two days.
S: A compression bandage can help control the swelling.
S: Mild sprains often heal in one to three weeks, while bad ones can take longer.
S: Once the pain eases, gentle movement and balance exercises help prevent future sprains.
S: If you cannot put any weight on it or the bone is tender, get an X-ray to rule out a fracture.
F: When can I start running again?
A: Most people can return to running once they can walk and hop without pain, often after a few weeks. Start with short easy runs and consider an ankle brace at first.

# cholesterol | high cholesterol
Q: My cholesterol test came back high. What does that mean?
Q: How do I lower my LDL cholesterol?
S: High LDL cholesterol raises the risk of heart attack and stroke over time.
S: It usually causes no symptoms, so a blood test is the only way to know.
S: Eating more fibre, oats, beans and nuts while cutting saturated fat can lower it.
S: Regular exercise and not smoking improve the balance between good and bad cholesterol.
S: If your overall risk is high, a doctor may recommend a statin.
F: Are statins safe to take?
A: Statins are among the most studied medicines and are safe for most people. Some people get muscle aches, which should be reported so the dose or type can be adjusted.

# antibiotics | antibiotics
Q: Should I take antibiotics for my cold?
Q: Can I stop my antibiotics once I feel better?
S: Antibiotics work against bacteria but do nothing for viral colds or flu.
S: Using them when they are not needed adds to antibiotic resistance.
S: If they are prescribed, take the whole course exactly as directed unless your doctor says otherwise.
S: Common side effects include an upset stomach or diarrhoea.
S: Tell your doctor about any previous allergy, especially to penicillin.
F: And can I drink alcohol with them?
A: With most antibiotics a small amount of alcohol is not dangerous, but it can worsen side effects and slow recovery. A few, such as metronidazole, react badly with alcohol and must not be mixed at all.

# cold | the common cold
Q: I think I'm coming down with a cold. How can I get better faster?
Q: Is there anything that actually cures a cold?
S: A cold usually clears up by itself within about a week.
S: Rest, warm drinks and plenty of fluids help your body recover.
S: Saline nasal spray, honey for the throat and painkillers can ease the symptoms.
S: There is no cure, and antibiotics do not help because colds are caused by viruses.
S: Washing your hands often helps stop it from spreading to others.
F: Should I stay home from work?
A: If you have a fever or feel very unwell, staying home helps you recover and protects your colleagues. With mild symptoms, many people keep working but wash their hands and avoid close contact.

# cough | a lingering cough
Q: My cough has lasted two weeks after a cold. Is that normal?
Q: What helps a dry cough at night?
S: A cough can linger for up to three weeks after a cold.
S: Warm drinks with honey and staying well hydrated can soothe the throat.
S: Propping your head up at night often eases a dry cough.
S: Smoke and very dry air make coughing worse, so a humidifier may help.
S: A cough lasting more than three weeks, or with blood, chest pain or weight loss, should be checked.
F: What about cough syrup?
A: Over-the-counter cough syrups have only modest benefit for most adults. They are not recommended for young children, for whom honey is often a better option after the age of one.

# sore_throat | a sore throat
Q: My throat hurts when I swallow. What should I do?
Q: How do I know if a sore throat is strep?
S: Most sore throats are viral and get better within a week.
S: Gargling warm salt water and sucking lozenges can ease the pain.
S: Paracetamol or ibuprofen helps with both pain and fever.
S: A high fever, white spots on the tonsils and no cough can suggest a bacterial infection.
S: Difficulty swallowing saliva or breathing needs urgent medical attention.
F: Is it contagious?
A: Yes, the viruses and bacteria behind sore throats spread easily through coughs and shared cups. Washing hands and not sharing utensils reduces the chance of passing it on.

# back_pain | lower back pain
Q: My lower back hurts after moving furniture. What can I do?
Q: Should I stay in bed when my back hurts?
S: Most lower back pain improves within a few weeks with gentle movement.
S: Staying active is better than bed rest, even if you need to slow down.
S: Heat packs and over-the-counter painkillers can reduce the pain.
S: Good lifting technique, bending the knees and keeping loads close, helps prevent it.
S: Numbness, weakness in the legs or problems with bladder control need urgent care.
F: What kind of exercise is best for it?
A: Walking, swimming and gentle core and stretching exercises are usually helpful. A physiotherapist can design a programme if the pain keeps returning.

# heartburn | heartburn
Q: I get a burning feeling in my chest after dinner. What is it?
Q: How can I stop acid reflux at night?
S: Heartburn happens when stomach acid flows back into the food pipe.
S: Large meals, fatty or spicy food, coffee and alcohol are common triggers.
S: Eating smaller portions and not lying down for three hours after meals helps.
S: Raising the head of the bed can reduce night-time symptoms.
S: Antacids give quick relief, while other medicines reduce acid for longer.
F: When should I be concerned about it?
A: Heartburn on most days, trouble swallowing, vomiting or weight loss should be checked by a doctor. Chest pain with sweating or breathlessness may be the heart and needs emergency care.

# dehydration | dehydration
Q: How do I know if I'm dehydrated?
Q: How much water should I drink on a hot day?
S: Thirst, dark urine, headache and dizziness are common signs of dehydration.
S: Sipping water regularly through the day is better than drinking a lot at once.
S: On hot days or during exercise you need noticeably more fluid than usual.
S: After vomiting or diarrhoea, oral rehydration solution replaces lost salts.
S: Confusion, fainting or no urine for many hours are signs of severe dehydration.
F: And what about for older people?
A: Older adults often feel less thirsty, so they can become dehydrated without noticing. Offering drinks regularly and watching urine colour is a simple way to keep them safe.

# sunburn | sunburn
Q: I got badly sunburned at the beach. How do I treat it?
Q: What's the best way to avoid sunburn?
S: Sunburned skin should be cooled with a cool shower and soothed with aloe gel.
S: Drink extra water, because sunburn draws fluid to the skin.
S: Painkillers such as ibuprofen can ease the pain and swelling.
S: Do not pop blisters, and keep the area out of the sun while it heals.
S: Using sunscreen, a hat and shade in the middle of the day prevents most sunburns.
F: Does it raise my risk of skin cancer?
A: Repeated sunburns, especially in childhood, do increase the risk of skin cancer later in life. Checking your skin for new or changing moles is a good habit.

# cuts | small cuts and scrapes
Q: I cut my finger while cooking. How should I clean it?
Q: Do small scrapes need a bandage?
S: A small cut should be rinsed under running water and pressed to stop bleeding.
S: Remove any dirt, then cover it with a clean plaster or dressing.
S: Keeping a scrape moist and covered helps it heal faster with less scarring.
S: Redness that spreads, warmth, pus or fever can mean infection.
S: Deep, gaping cuts or bleeding that will not stop may need stitches.
F: And do I need a tetanus shot?
A: If the wound is dirty or deep and your last tetanus booster was more than about ten years ago, a booster is usually advised. Clean minor kitchen cuts rarely need one.

# burns | minor burns
Q: I burned my hand on the stove. What should I do right now?
Q: Should I put butter on a burn?
S: The first step is to cool the burn under running water for twenty minutes.
S: Do not use ice, butter or toothpaste, as they can damage the skin.
S: Remove rings or tight items near the area before it swells.
S: Cover it loosely with cling film or a clean non-fluffy dressing.
S: Large burns, burns on the face or hands, or any deep burn need medical care.
F: What if a blister forms?
A: Leave blisters intact, because the skin underneath is protecting the wound. If one breaks, keep it clean and covered and watch for signs of infection.

# food_poisoning | food poisoning
Q: I think I ate something bad and I've been vomiting. What should I do?
Q: How long does food poisoning last?
S: Most food poisoning settles within one to three days.
S: Take small sips of water or rehydration solution often.
S: Eat bland food like rice, toast or bananas once you feel ready.
S: Avoid alcohol, caffeine and fatty food until your stomach recovers.
S: Blood in the stool, a high fever or signs of dehydration need medical attention.
F: Should I take something to stop the diarrhoea?
A: Anti-diarrhoea medicine can help adults with mild symptoms, but avoid it if there is fever or blood in the stool. Replacing fluids is more important than stopping the diarrhoea quickly.

# constipation | constipation
Q: I haven't had a bowel movement in four days. What helps?
Q: How can I avoid getting constipated?
S: More fibre, more water and daily movement usually ease constipation.
S: Fruit, vegetables, whole grains and beans are good sources of fibre.
S: Do not ignore the urge to go, and give yourself time in the morning.
S: Gentle laxatives from a pharmacy can help for short periods.
S: Sudden changes in bowel habit, blood or weight loss should be checked by a doctor.
F: Is it okay to use laxatives every day?
A: Regular daily use is best discussed with a doctor, because the cause may need attention. Fibre-based laxatives are generally the gentlest for longer use.

# asthma | asthma
Q: My child wheezes at night. Could it be asthma?
Q: How do I use my asthma inhaler correctly?
S: Asthma narrows the airways, causing wheeze, cough and shortness of breath.
S: A preventer inhaler used daily reduces inflammation and attacks.
S: A reliever inhaler opens the airways quickly during symptoms.
S: Using a spacer and checking your technique makes inhalers work much better.
S: If a reliever does not help or breathing is very hard, call emergency services.
F: What usually triggers it?
A: Common triggers include colds, cold air, exercise, pollen, dust mites, pet hair and smoke. Knowing your own triggers helps you avoid them or plan ahead.

# eczema | eczema
Q: I have dry itchy patches on my arms. Is it eczema?
Q: How do I stop eczema from flaring up?
S: Eczema makes the skin dry, itchy and inflamed, often in flares.
S: Moisturising thickly several times a day is the foundation of treatment.
S: Use gentle soap substitutes and avoid hot showers.
S: Short courses of steroid cream can calm a flare when used as directed.
S: Weeping, crusted or very painful skin may be infected and should be seen.
F: Does diet make it worse?
A: Food triggers matter for some young children but are less common in adults. Avoid cutting out whole food groups without advice, as it rarely helps and can harm nutrition.

# acne | acne
Q: I'm 25 and still getting pimples. Why?
Q: What actually works for acne?
S: Acne is common in adults and is linked to hormones, oil and blocked pores.
S: Wash your face gently twice a day and avoid scrubbing hard.
S: Products with benzoyl peroxide or adapalene help many people.
S: Do not squeeze spots, because it increases scarring.
S: Painful deep acne or acne that leaves scars deserves a doctor's treatment.
F: How long until I see results?
A: Most acne treatments take six to eight weeks before the skin clearly improves. Skin may get slightly irritated at first, so start slowly and keep going.

# iron | iron deficiency
Q: I feel tired all the time. Could I be low on iron?
Q: What foods are high in iron?
S: Low iron can cause tiredness, pale skin and shortness of breath.
S: A simple blood test can confirm whether your iron is low.
S: Red meat, beans, lentils, tofu and dark leafy greens contain iron.
S: Vitamin C with meals improves absorption, while tea and coffee reduce it.
S: Heavy periods or hidden bleeding are common causes and should be looked into.
F: And what about iron supplements?
A: Iron tablets work well but can cause constipation or an upset stomach. Take them only when a deficiency is confirmed, because too much iron is harmful.

# vitamin_d | vitamin D
Q: Do I need to take vitamin D in winter?
Q: What does vitamin D actually do?
S: Vitamin D helps the body absorb calcium for strong bones and muscles.
S: The skin makes it from sunlight, so levels often drop in winter.
S: Many health services suggest a daily supplement during the darker months.
S: Oily fish, eggs and fortified foods provide smaller amounts.
S: Very high doses over a long time can be harmful, so stick to the label.
F: How much should I take?
A: For most adults, a daily dose of around 400 to 1000 units is commonly advised. People with a proven deficiency may be prescribed more for a short time.

# stress | stress and anxiety
Q: I've been really stressed lately and can't relax. What can I do?
Q: Is it normal to feel anxious all the time?
S: Stress is a normal reaction, but ongoing anxiety deserves attention.
S: Regular exercise, enough sleep and less caffeine can calm the body.
S: Slow breathing, with a longer breath out than in, helps in the moment.
S: Talking to someone you trust often makes worries feel more manageable.
S: Talking therapies and sometimes medication work well for anxiety disorders.
F: What if it starts affecting my sleep and work?
A: When anxiety affects daily life, it is a good time to speak with a doctor or counsellor. If you ever have thoughts of harming yourself, seek urgent help immediately.

# exercise | regular exercise
Q: How much exercise do I really need?
Q: I want to start exercising but I'm out of shape. Where do I begin?
S: Adults benefit from about 150 minutes of moderate activity each week.
S: Brisk walking, cycling and swimming all count as moderate exercise.
S: Muscle-strengthening exercise twice a week supports bones and metabolism.
S: Start slowly and build up gradually to avoid injury.
S: Chest pain, fainting or severe breathlessness during exercise should be checked.
F: Is it okay to exercise every day?
A: Moderate exercise every day is fine for most people, as long as you vary the intensity. Hard workouts benefit from a rest or easy day in between.

# smoking | quitting smoking
Q: I want to quit smoking. What's the best method?
Q: Does quitting smoking really make a difference after so many years?
S: Quitting at any age improves your health within weeks.
S: Nicotine replacement such as patches or gum doubles your chances of success.
S: Prescription medicines and support programmes can help further.
S: Plan for triggers like coffee, alcohol or stress and have a replacement habit ready.
S: Many people need several attempts, so a slip is not a failure.
F: And what about the withdrawal symptoms?
A: Irritability, cravings, poor sleep and a bigger appetite are common in the first few weeks. They fade with time, and nicotine replacement makes them much milder.

# earache | an earache
Q: My ear has been hurting since yesterday. What could it be?
Q: How do I know if my child has an ear infection?
S: Earaches are often caused by a middle ear infection after a cold.
S: Many ear infections clear up on their own within three days.
S: Painkillers and a warm cloth over the ear can ease the pain.
S: Do not put cotton buds or drops into the ear unless advised.
S: Discharge, high fever, swelling behind the ear or hearing loss should be checked.
F: Can I still fly with it?
A: Flying with an ear infection can be painful because of pressure changes. Chewing, swallowing or a decongestant spray may help, but it is wise to ask a doctor before travelling.

# pink_eye | pink eye
Q: My eye is red and sticky in the morning. Is it pink eye?
Q: How contagious is conjunctivitis?
S: Red, watery or sticky eyes are typical of conjunctivitis.
S: Most cases clear within one to two weeks without treatment.
S: Clean the eyelids with cooled boiled water and a clean cotton pad.
S: Wash your hands often and do not share towels, because it spreads easily.
S: Eye pain, sensitivity to light or changes in vision need urgent attention.
F: Can I wear my contact lenses?
A: It is best to stop wearing contact lenses until the eye has fully recovered. Throw away the lenses you were using when it started, and clean the case.

# nosebleed | nosebleeds
Q: My nose started bleeding for no reason. How do I stop it?
Q: Why do I get nosebleeds in winter?
S: Most nosebleeds stop if you lean forward and pinch the soft nose for ten minutes.
S: Do not tip your head back, as blood can run down the throat.
S: Dry air in winter makes the lining fragile, so a humidifier can help.
S: Avoid picking or blowing your nose hard for a day afterwards.
S: Bleeding that lasts over twenty minutes, or follows a head injury, needs medical care.
F: Is it a sign of high blood pressure?
A: Nosebleeds are rarely caused by high blood pressure on their own. Frequent heavy nosebleeds are still worth mentioning to a doctor, especially if you take blood thinners.

# motion_sickness | motion sickness
Q: I always feel sick on boats. What can I do?
Q: How do I stop my kids from getting carsick?
S: Looking at the horizon and getting fresh air helps motion sickness.
S: Sit where motion is smallest, such as the front seat or the middle of a boat.
S: Avoid reading or screens while travelling.
S: Antihistamine travel tablets work best if taken before the journey.
S: Light meals and ginger help some people, while heavy food and alcohol make it worse.
F: Are the tablets okay for children?
A: Some travel sickness tablets are licensed for children from a certain age, so check the label. They may cause drowsiness, which is usually harmless on a journey.

# jet_lag | jet lag
Q: I'm flying across six time zones next week. How do I avoid jet lag?
Q: How long does jet lag usually last?
S: Jet lag usually lasts about a day for each time zone crossed.
S: Shift your sleep time gradually for a few days before you travel.
S: Get daylight in the morning at your destination to reset your body clock.
S: Drink water on the flight and keep alcohol and caffeine low.
S: Short naps of under thirty minutes can help you stay awake until local bedtime.
F: What about melatonin?
A: Melatonin taken near local bedtime can help some travellers adjust faster. It is best to check with a pharmacist about the dose and interactions first.

# pregnancy | folic acid in pregnancy
Q: When should I start taking folic acid if I'm planning a pregnancy?
Q: Why is folic acid important for pregnant women?
S: Folic acid lowers the risk of neural tube defects in the baby.
S: It is best started before conception and continued for the first twelve weeks.
S: A common daily dose is 400 micrograms, though some women need more.
S: Leafy greens and fortified cereals add folate but usually are not enough alone.
S: Your doctor or midwife can advise if a higher dose is needed.
F: And what other vitamins are recommended?
A: Vitamin D is often advised during pregnancy, and iron if levels are low. Avoid high-dose vitamin A supplements, which can be harmful to the baby.

# insect_bites | insect bites
Q: I got bitten by mosquitoes and it itches like crazy. What helps?
Q: When is a bee sting dangerous?
S: Most bites cause a small itchy bump that fades in a few days.
S: Wash the area, apply a cold pack and avoid scratching.
S: Antihistamine tablets or hydrocortisone cream can ease itching.
S: For a bee sting, scrape the sting out sideways as soon as possible.
S: Swelling of the face, wheezing or dizziness after a sting is an emergency.
F: And how do I prevent them?
A: Insect repellent, long sleeves in the evening and window screens help a lot. Removing standing water near the home reduces mosquitoes.

# dizziness | dizziness
Q: I feel dizzy when I stand up quickly. Is that normal?
Q: Why does the room spin when I turn my head?
S: Brief dizziness on standing is often due to a drop in blood pressure.
S: Standing up slowly and drinking enough fluids usually helps.
S: A spinning feeling with head movements can come from the inner ear.
S: Some medicines, low blood sugar and anaemia can also cause dizziness.
S: Dizziness with chest pain, slurred speech or weakness needs emergency care.
F: Is it safe to drive when this happens?
A: Do not drive while you feel dizzy or unsteady. If episodes keep happening, get checked before driving regularly again.

# eye_strain | eye strain
Q: My eyes feel tired after working on the computer all day. What can I do?
Q: Is staring at screens bad for my eyes?
S: Screen work commonly causes tired, dry eyes but not permanent damage.
S: Try the 20-20-20 rule: every twenty minutes, look twenty feet away for twenty seconds.
S: Position the screen slightly below eye level and reduce glare.
S: Blink often, and use lubricating eye drops if your eyes feel dry.
S: Frequent headaches or blurry vision may mean you need an eye test.
F: Do blue light glasses help?
A: Current evidence suggests blue light glasses do little for eye strain. Regular breaks and the right prescription tend to make a bigger difference.

# toothache | a toothache
Q: I have a throbbing toothache. What can I do until I see a dentist?
Q: Why does my tooth hurt when I drink something cold?
S: A toothache usually needs a dentist to find and fix the cause.
S: Painkillers like ibuprofen can help until your appointment.
S: Rinse with warm salt water and avoid very hot, cold or sweet food.
S: Sensitivity to cold can come from worn enamel or exposed roots.
S: Facial swelling, fever or trouble opening the mouth needs urgent care.
F: Can I just wait for it to go away?
A: Tooth pain often returns even if it settles, because decay or infection keeps progressing. Seeing a dentist early usually means simpler and cheaper treatment.

# painkillers | over-the-counter painkillers
Q: What's the difference between paracetamol and ibuprofen?
Q: Can I take ibuprofen and paracetamol together?
S: Paracetamol eases pain and fever, while ibuprofen also reduces inflammation.
S: Ibuprofen should be taken with food and avoided by people with stomach ulcers.
S: Paracetamol is gentle on the stomach but the daily limit must not be exceeded.
S: Adults can often alternate or combine them for a short time if needed.
S: Check labels, because many cold remedies already contain paracetamol.
F: Is it safe to take them for a long time?
A: Long-term daily use of painkillers should be reviewed by a doctor. Ibuprofen can affect the stomach and kidneys, and regular use can also cause rebound headaches.
"""

# --------------------------------------------------------------------------- medical / zh
MEDICAL_ZH = """
# headache | 头痛
Q: 我下午一直隐隐头痛，该怎么办？
Q: 为什么我一下班就头疼？
S: 大多数头痛休息一下、喝点水、离开屏幕一会儿就能缓解。
S: 按说明服用一次对乙酰氨基酚或布洛芬通常有效，但每周服用止痛药不宜超过几天。
S: 常见诱因包括缺水、不按时吃饭、睡眠不足、压力大和久坐。
S: 做做颈部拉伸、呼吸新鲜空气、保持规律作息，可以减少头痛发作。
S: 突然剧烈的头痛，或伴有发烧、脖子僵硬、意识模糊、肢体无力，需要立即就医。
F: 那要是每周都反复发作呢？
A: 经常头痛的话，可以记录睡眠、饮食、咖啡因和看屏幕的时间。止痛药吃得太频繁本身也会引起反跳性头痛，所以规律性的头痛最好让医生评估一下。

# fever | 发烧
Q: 我从昨晚开始发烧，该怎么办？
Q: 体温38.5度，危险吗？
S: 大多数发烧要多休息、多喝水，并定时测量体温。
S: 发烧通常是身体在对抗感染，多数在三天内会退。
S: 对乙酰氨基酚或布洛芬可以帮助退烧，让人舒服一些。
S: 穿轻薄的衣服，保持室内凉爽，不要捂得太厚。
S: 体温超过39.5度，或伴有皮疹、脖子僵硬、呼吸困难，要尽快就诊。
F: 那小孩发烧能吃退烧药吗？
A: 儿童一般可以按体重服用对乙酰氨基酚或布洛芬，但不要给儿童吃阿司匹林。三个月以下的婴儿只要发烧，就应立即就医。

# blood_pressure | 高血压
Q: 我量的血压是150/95，需要担心吗？
Q: 怎样才能自然地降血压？
S: 高血压常常没有症状，所以定期测量很重要。
S: 血压持续高于140/90左右，一般就算偏高。
S: 少吃盐、多运动、保持健康体重都能帮助降压。
S: 限制饮酒、不吸烟也能保护心脏和血管。
S: 很多人还需要每天服用降压药，坚持按时吃效果最好。
F: 那降压药是不是要吃一辈子？
A: 降压药通常需要长期服用，但有些人在大幅改善生活方式后可以减少剂量。千万不要自行停药，否则血压可能很快回升。

# diabetes | 2型糖尿病
Q: 2型糖尿病早期有哪些信号？
Q: 我的空腹血糖有点高，这说明什么？
S: 2型糖尿病是指身体难以把血糖控制在正常范围。
S: 早期可能口渴、尿多、容易累、视力模糊，但很多人没有明显感觉。
S: 空腹血糖或糖化血红蛋白等简单的血液检查可以确诊。
S: 规律运动、减重、少喝含糖饮料，能明显改善血糖。
S: 控制得好，可以长期保护眼睛、肾脏、神经和心脏。
F: 那它能逆转吗？
A: 有些人通过明显减重和调整饮食，尤其在早期，能让血糖恢复正常。但仍需定期监测，因为旧习惯回来后血糖可能再次升高。

# sleep | 失眠
Q: 我晚上总是睡不着，有什么办法吗？
Q: 我经常凌晨三点醒来就再也睡不着了，怎么办？
S: 固定的作息时间是改善睡眠最可靠的方法。
S: 午饭后别再喝咖啡，睡前也不要吃得太饱或喝酒。
S: 卧室保持黑暗、安静、凉爽，睡前一小时放下手机。
S: 如果躺了二十分钟还睡不着，就起来做点安静的事，困了再回床上。
S: 长期失眠可能与压力、情绪低落或睡眠呼吸暂停有关，这些都可以治疗。
F: 那安眠药呢？
A: 安眠药短期用几晚可能有帮助，但不适合长期依赖，有的还会导致第二天犯困或产生依赖。针对失眠的认知行为治疗长期效果更好。

# vaccines | 疫苗
Q: 疫苗真的安全吗？
Q: 今年我要不要打流感疫苗？
S: 疫苗能提前训练免疫系统识别病原体。
S: 疫苗上市前要经过大规模安全试验，上市后也会持续监测。
S: 常见副作用是手臂酸痛、轻微发烧或疲倦，一两天就好。
S: 老年人、孕妇和慢性病患者尤其建议每年接种流感疫苗。
S: 多数人接种之后，也能保护新生儿等无法接种的人。
F: 那副作用呢？
A: 大多数副作用都很轻微，比如手臂酸痛或低烧，两天内就会消退。严重过敏反应非常罕见，所以接种后会请你留观一会儿。

# allergies | 季节性过敏
Q: 每到春天我就流鼻涕、眼睛痒，是花粉症吗？
Q: 季节性过敏怎么处理比较好？
S: 每年春天眼睛痒、打喷嚏，多半是花粉过敏。
S: 不犯困的抗组胺药通常是缓解症状的首选。
S: 每天使用激素类鼻喷剂，对鼻塞流涕效果很好。
S: 花粉多的日子尽量关窗，外出回来后洗个澡。
S: 如果出现喘息、嘴唇肿胀或呼吸困难，要立即急诊。
F: 小孩能用一样的药吗？
A: 很多抗组胺药都有儿童剂型，剂量更小，要看清说明书上的适用年龄。年龄小的孩子最好先问问药师。

# ankle | 脚踝扭伤
Q: 踢球时扭到脚踝，现在肿了，怎么办？
Q: 脚踝扭伤一般多久能好？
S: 脚踝扭伤后头两天要休息、冰敷并抬高。
S: 用弹力绷带加压包扎可以帮助消肿。
S: 轻度扭伤一般一到三周恢复，严重的时间更长。
S: 疼痛减轻后，做些温和的活动和平衡训练，可以预防再次扭伤。
S: 如果完全不能着地，或者骨头有压痛，应拍X光排除骨折。
F: 那什么时候能重新开始跑步？
A: 一般能走路、单脚跳都不痛时就可以恢复跑步，通常要几周。先从短距离慢跑开始，起初可以戴护踝。

# cholesterol | 高胆固醇
Q: 体检说我胆固醇高，这是什么意思？
Q: 怎么降低低密度脂蛋白胆固醇？
S: 低密度脂蛋白胆固醇偏高，会增加心梗和中风的风险。
S: 它通常没有症状，只有验血才能知道。
S: 多吃膳食纤维、燕麦、豆类和坚果，少吃饱和脂肪，可以帮助降低。
S: 规律运动和不吸烟能改善好坏胆固醇的比例。
S: 如果总体风险较高，医生可能会建议服用他汀类药物。
F: 他汀类药物安全吗？
A: 他汀是研究得最充分的药物之一，对大多数人是安全的。少数人会出现肌肉酸痛，应及时告诉医生以调整剂量或换药。

# antibiotics | 抗生素
Q: 感冒了要不要吃抗生素？
Q: 感觉好了就能停抗生素吗？
S: 抗生素只对细菌有效，对病毒引起的感冒和流感没用。
S: 不必要地使用抗生素会加剧耐药问题。
S: 如果医生开了，请严格按疗程服用，除非医生另有嘱咐。
S: 常见副作用有肠胃不适或腹泻。
S: 如果以前对药物过敏，尤其是青霉素，一定要告诉医生。
F: 那吃药期间能喝酒吗？
A: 大多数抗生素配少量酒并不危险，但可能加重副作用、影响恢复。甲硝唑等少数药物与酒精会产生严重反应，绝对不能同时使用。

# cold | 普通感冒
Q: 我好像要感冒了，怎样才能好得快一点？
Q: 有什么能真正治好感冒的吗？
S: 感冒通常一周左右会自己好。
S: 多休息、喝热饮、多补充水分，有助于身体恢复。
S: 生理盐水喷鼻、蜂蜜润喉和止痛药可以缓解症状。
S: 感冒没有特效药，而且它是病毒引起的，抗生素没用。
S: 勤洗手可以避免传染给别人。
F: 那我要不要请假在家？
A: 如果发烧或特别难受，在家休息既有利于恢复，也能保护同事。症状轻的话，很多人照常上班，但要勤洗手、避免近距离接触。

# cough | 久咳不愈
Q: 感冒好了两周还在咳嗽，正常吗？
Q: 晚上干咳怎么缓解？
S: 感冒后咳嗽持续三周左右是常见的。
S: 喝加蜂蜜的热饮、多喝水可以舒缓喉咙。
S: 晚上把枕头垫高，往往能减轻干咳。
S: 烟雾和干燥空气会加重咳嗽，可以用加湿器。
S: 咳嗽超过三周，或伴有咳血、胸痛、体重下降，应该去检查。
F: 那止咳糖浆有用吗？
A: 非处方止咳糖浆对大多数成年人效果有限。幼儿不建议使用，一岁以上的孩子用蜂蜜往往更合适。

# sore_throat | 喉咙痛
Q: 我吞咽的时候喉咙痛，该怎么办？
Q: 怎么判断喉咙痛是不是链球菌感染？
S: 大多数喉咙痛是病毒引起的，一周内会好转。
S: 用温盐水漱口、含润喉糖可以减轻疼痛。
S: 对乙酰氨基酚或布洛芬能缓解疼痛和发烧。
S: 高烧、扁桃体有白点而且不咳嗽，可能提示细菌感染。
S: 如果连口水都咽不下或呼吸困难，需要紧急就医。
F: 会传染吗？
A: 会，引起喉咙痛的病毒和细菌很容易通过咳嗽和共用杯子传播。勤洗手、不共用餐具能降低传染风险。

# back_pain | 腰痛
Q: 搬完家具后腰疼，怎么办？
Q: 腰疼的时候应该卧床休息吗？
S: 大多数腰痛在适当活动下几周内会好转。
S: 保持活动比卧床休息更好，哪怕需要放慢节奏。
S: 热敷和非处方止痛药可以减轻疼痛。
S: 搬重物时弯曲膝盖、让物体贴近身体，有助于预防腰痛。
S: 如果腿部麻木无力或大小便控制出现问题，需要紧急就医。
F: 那做什么运动比较好？
A: 散步、游泳以及温和的核心训练和拉伸通常都有帮助。如果反复发作，可以请康复治疗师制定训练计划。

# heartburn | 烧心
Q: 晚饭后胸口有烧灼感，这是怎么回事？
Q: 晚上胃酸反流怎么办？
S: 烧心是胃酸反流到食管引起的。
S: 吃得太饱、油腻辛辣食物、咖啡和酒都是常见诱因。
S: 少吃多餐，饭后三小时内不要躺下，会有帮助。
S: 把床头垫高可以减轻夜间症状。
S: 抗酸药能快速缓解，另一些药物则能更长时间地抑制胃酸。
F: 什么情况下需要当心？
A: 如果几乎天天烧心，或有吞咽困难、呕吐、体重下降，应该去看医生。胸痛伴出汗或气短可能是心脏问题，需要立即急诊。

# dehydration | 脱水
Q: 怎么知道自己是不是脱水了？
Q: 大热天应该喝多少水？
S: 口渴、尿色深、头痛和头晕都是脱水的常见信号。
S: 一天中少量多次地喝水，比一次喝很多更好。
S: 天热或运动时，需要的水分明显比平时多。
S: 呕吐或腹泻后，口服补液盐可以补充流失的盐分。
S: 意识模糊、晕倒或很长时间没有小便，是严重脱水的表现。
F: 那老年人呢？
A: 老年人口渴感往往较弱，可能脱水了自己都没察觉。定时提醒喝水、留意尿色，是简单有效的办法。

# sunburn | 晒伤
Q: 我在海边晒伤得很厉害，怎么处理？
Q: 怎样才能避免晒伤？
S: 晒伤的皮肤要先用凉水冲洗降温，再涂上芦荟胶。
S: 多喝水，因为晒伤会让水分流向皮肤。
S: 布洛芬等止痛药可以减轻疼痛和肿胀。
S: 不要挑破水泡，恢复期间避免再晒太阳。
S: 涂防晒霜、戴帽子、中午待在阴凉处，可以预防大多数晒伤。
F: 晒伤会增加皮肤癌的风险吗？
A: 反复晒伤，尤其是儿童时期的晒伤，确实会增加日后患皮肤癌的风险。经常检查皮肤上是否有新出现或变化的痣，是个好习惯。

# cuts | 小伤口和擦伤
Q: 做饭时切到手指了，怎么清理？
Q: 小擦伤需要贴创可贴吗？
S: 小伤口要用干净的流水冲洗，再轻轻按压止血。
S: 清除脏东西后，用干净的创可贴或敷料盖好。
S: 擦伤保持湿润并覆盖，愈合更快，疤痕更少。
S: 红肿扩散、发热、流脓或发烧可能是感染。
S: 伤口深、裂开或血流不止，可能需要缝针。
F: 那要不要打破伤风针？
A: 如果伤口很脏或很深，而且上次打破伤风加强针已超过约十年，通常建议补打。厨房里干净的小切口一般不需要。

# burns | 轻度烫伤
Q: 我的手被炉子烫了，现在该怎么做？
Q: 烫伤可以抹黄油吗？
S: 第一步是用凉的流水冲烫伤处二十分钟。
S: 不要用冰、黄油或牙膏，它们会损伤皮肤。
S: 趁还没肿起来，摘下附近的戒指等紧身物品。
S: 用保鲜膜或不掉毛的干净敷料松松地盖住。
S: 烫伤面积大、在脸上或手上、或者烫得很深，都需要就医。
F: 起水泡了怎么办？
A: 水泡尽量不要弄破，因为下面的皮肤正在保护伤口。如果破了，要保持清洁并覆盖，留意有没有感染迹象。

# food_poisoning | 食物中毒
Q: 我好像吃坏了东西，一直在吐，怎么办？
Q: 食物中毒一般持续多久？
S: 大多数食物中毒一到三天会好转。
S: 少量多次地喝水或口服补液盐。
S: 感觉好些后，可以吃米饭、吐司、香蕉等清淡食物。
S: 肠胃恢复前，避免酒、咖啡和油腻食物。
S: 如果便中带血、高烧或出现脱水迹象，需要就医。
F: 要不要吃止泻药？
A: 症状轻的成年人可以用止泻药，但发烧或便中带血时不要用。及时补液比尽快止泻更重要。

# constipation | 便秘
Q: 我四天没大便了，有什么办法？
Q: 怎样预防便秘？
S: 多吃纤维、多喝水、每天活动，通常能缓解便秘。
S: 水果、蔬菜、全谷物和豆类都富含纤维。
S: 有便意时不要憋着，早上给自己留出如厕时间。
S: 药店的温和泻药可以短期使用。
S: 排便习惯突然改变、便血或体重下降，应该去医院检查。
F: 泻药可以每天吃吗？
A: 如果需要天天用，最好先和医生谈谈，因为背后可能有需要处理的原因。长期使用的话，纤维类泻药通常最温和。

# asthma | 哮喘
Q: 孩子晚上会喘，会不会是哮喘？
Q: 哮喘吸入器怎么用才正确？
S: 哮喘会让气道变窄，引起喘息、咳嗽和气短。
S: 每天使用控制类吸入剂，可以减轻炎症、减少发作。
S: 缓解类吸入剂能在有症状时迅速打开气道。
S: 使用储雾罐并检查吸入方法，效果会好很多。
S: 如果缓解药不起作用或呼吸非常困难，请立即拨打急救电话。
F: 一般是什么诱发的？
A: 常见诱因有感冒、冷空气、运动、花粉、尘螨、宠物毛发和烟雾。了解自己的诱因，就能提前避免或做好准备。

# eczema | 湿疹
Q: 我胳膊上有干燥发痒的斑块，是湿疹吗？
Q: 怎么防止湿疹反复发作？
S: 湿疹会让皮肤干燥、发痒、发炎，而且常常反复。
S: 每天多次厚涂保湿霜是治疗的基础。
S: 用温和的清洁产品代替肥皂，避免洗太热的澡。
S: 按医嘱短期使用激素药膏，可以控制发作。
S: 如果皮肤渗液、结痂或非常疼，可能已经感染，应该就诊。
F: 饮食会让它加重吗？
A: 对一些小孩来说食物诱因比较重要，但在成年人中较少见。不建议在没有指导的情况下随意忌口，这很少有效，还可能影响营养。

# acne | 痤疮
Q: 我25岁了还在长痘，为什么？
Q: 治痘到底什么方法有效？
S: 成年人长痘很常见，与激素、油脂和毛孔堵塞有关。
S: 每天温和洗脸两次，不要用力搓。
S: 含过氧化苯甲酰或阿达帕林的产品对很多人有效。
S: 不要挤痘痘，这会增加留疤的风险。
S: 又深又痛的痘或会留疤的痘，值得找医生治疗。
F: 多久能看到效果？
A: 大多数祛痘治疗需要六到八周才能明显见效。刚开始皮肤可能有点刺激，可以慢慢来，坚持用下去。

# iron | 缺铁
Q: 我总是觉得很累，会不会是缺铁？
Q: 哪些食物含铁多？
S: 缺铁会导致疲倦、面色苍白和气短。
S: 一次简单的验血就能确认是否缺铁。
S: 红肉、豆类、扁豆、豆腐和深绿色蔬菜都含铁。
S: 吃饭时搭配维生素C能促进吸收，而茶和咖啡会减少吸收。
S: 月经量大或隐性出血是常见原因，应该查一查。
F: 那补铁片呢？
A: 铁剂效果不错，但可能引起便秘或胃不舒服。最好在确诊缺铁后再吃，因为铁过量也有害。

# vitamin_d | 维生素D
Q: 冬天需要补维生素D吗？
Q: 维生素D到底有什么作用？
S: 维生素D帮助身体吸收钙，维持骨骼和肌肉健康。
S: 皮肤靠晒太阳合成维生素D，所以冬天水平常会下降。
S: 很多卫生机构建议在日照少的月份每天补充。
S: 多脂鱼、鸡蛋和强化食品也能提供少量维生素D。
S: 长期大剂量服用可能有害，请按说明书剂量服用。
F: 那一天吃多少合适？
A: 大多数成年人通常建议每天400到1000国际单位左右。确诊缺乏的人可能需要在短期内按医嘱补充更多。

# stress | 压力和焦虑
Q: 最近压力特别大，总是放松不下来，怎么办？
Q: 一直感到焦虑正常吗？
S: 有压力是正常反应，但持续焦虑值得重视。
S: 规律运动、睡眠充足、少喝咖啡，能让身体平静下来。
S: 慢慢呼吸，呼气比吸气更长，可以马上缓解紧张。
S: 和信任的人聊聊，往往会觉得烦恼没那么难应对。
S: 心理治疗，有时配合药物，对焦虑症效果很好。
F: 要是已经影响到睡眠和工作了呢？
A: 焦虑影响到日常生活时，就该去找医生或心理咨询师了。如果出现伤害自己的念头，请立即寻求紧急帮助。

# exercise | 规律运动
Q: 我到底需要多少运动量？
Q: 我想开始运动，但体能很差，从哪里开始？
S: 成年人每周约150分钟中等强度活动就有明显好处。
S: 快走、骑车和游泳都属于中等强度运动。
S: 每周两次力量训练有助于骨骼和代谢。
S: 从低强度开始，循序渐进，避免受伤。
S: 运动时出现胸痛、晕厥或严重气短，应该去检查。
F: 每天都运动可以吗？
A: 对大多数人来说，每天进行中等强度运动没问题，只要强度有高有低。高强度训练之间最好安排休息或轻松的一天。

# smoking | 戒烟
Q: 我想戒烟，最好的方法是什么？
Q: 抽了这么多年烟，现在戒还有用吗？
S: 任何年龄戒烟，几周内健康就会改善。
S: 尼古丁贴片或口香糖等替代疗法能让成功率翻倍。
S: 处方药物和戒烟支持项目能提供更多帮助。
S: 提前想好咖啡、喝酒、压力等诱因，并准备好替代习惯。
S: 很多人要尝试好几次才成功，偶尔破戒不等于失败。
F: 那戒断反应呢？
A: 头几周常见烦躁、烟瘾、睡不好和食欲增加。这些会随时间减轻，尼古丁替代疗法能让它们温和很多。

# earache | 耳朵痛
Q: 我的耳朵从昨天开始疼，可能是什么原因？
Q: 怎么判断孩子是不是中耳炎？
S: 耳朵痛常见于感冒后的中耳感染。
S: 很多耳部感染三天内会自行好转。
S: 止痛药和耳朵上敷一块温毛巾，可以缓解疼痛。
S: 除非医生建议，不要往耳朵里塞棉签或滴药。
S: 如果耳朵流脓、高烧、耳后肿胀或听力下降，应该就诊。
F: 这样还能坐飞机吗？
A: 耳朵感染时坐飞机，气压变化可能会很疼。咀嚼、吞咽或使用减充血喷剂可能有帮助，但出行前最好问问医生。

# pink_eye | 红眼病
Q: 我早上起来眼睛又红又黏，是红眼病吗？
Q: 结膜炎传染性强吗？
S: 眼睛发红、流泪或有黏稠分泌物，是结膜炎的典型表现。
S: 大多数情况一到两周会自愈，不需要特别治疗。
S: 用凉开水和干净的棉片清洁眼睑。
S: 勤洗手，不要共用毛巾，因为它很容易传染。
S: 如果眼睛疼、怕光或视力改变，需要尽快就医。
F: 还能戴隐形眼镜吗？
A: 最好等眼睛完全恢复后再戴隐形眼镜。发病时戴的那副镜片要扔掉，镜盒也要清洗。

# nosebleed | 流鼻血
Q: 我突然流鼻血了，怎么止住？
Q: 为什么冬天容易流鼻血？
S: 大多数流鼻血，身体前倾、捏住鼻翼十分钟就能止住。
S: 不要仰头，否则血会流进喉咙。
S: 冬天空气干燥，鼻黏膜变脆弱，加湿器会有帮助。
S: 之后一天内避免挖鼻子或用力擤鼻涕。
S: 出血超过二十分钟，或者发生在头部受伤后，需要就医。
F: 这是高血压的信号吗？
A: 流鼻血很少单纯由高血压引起。不过如果经常大量流鼻血，尤其是在服用抗凝药的情况下，还是应该告诉医生。

# motion_sickness | 晕车晕船
Q: 我一坐船就难受，怎么办？
Q: 怎样防止孩子晕车？
S: 看远处的地平线、呼吸新鲜空气，能缓解晕动症。
S: 坐在晃动最小的位置，比如前排或船的中部。
S: 路上尽量不要看书或看手机。
S: 抗组胺类晕车药要在出发前服用效果才好。
S: 吃清淡些，生姜对一些人有帮助，而油腻食物和酒会加重症状。
F: 晕车药小孩能吃吗？
A: 有些晕车药规定了儿童的适用年龄，要看清说明书。它们可能会让人犯困，旅途中一般问题不大。

# jet_lag | 倒时差
Q: 下周我要跨六个时区飞行，怎么避免时差反应？
Q: 时差一般要多久才能倒过来？
S: 一般来说，每跨一个时区大约需要一天来适应。
S: 出发前几天就逐步调整睡觉时间。
S: 到达后早上多晒太阳，帮助重置生物钟。
S: 飞行中多喝水，少喝酒和咖啡。
S: 白天小睡不超过三十分钟，有助于撑到当地的睡觉时间。
F: 那褪黑素呢？
A: 在当地睡前服用褪黑素，能帮助一些旅客更快适应。剂量和药物相互作用最好先问问药师。

# pregnancy | 孕期补叶酸
Q: 准备怀孕的话，什么时候开始吃叶酸？
Q: 为什么孕妇要补叶酸？
S: 叶酸能降低宝宝神经管缺陷的风险。
S: 最好在怀孕前就开始服用，并持续到孕早期十二周。
S: 常见剂量是每天400微克，但有些女性需要更多。
S: 绿叶蔬菜和强化谷物能补充叶酸，但单靠饮食通常不够。
S: 医生或助产士可以告诉你是否需要更大剂量。
F: 那还需要补哪些维生素？
A: 孕期通常也建议补充维生素D，缺铁时要补铁。避免服用大剂量维生素A，它可能对胎儿有害。

# insect_bites | 蚊虫叮咬
Q: 被蚊子咬了好多包，痒得不行，怎么办？
Q: 被蜜蜂蜇了什么时候算危险？
S: 大多数叮咬只会起个痒痒的小包，几天就消。
S: 清洗患处，冷敷，尽量不要抓。
S: 抗组胺药片或氢化可的松药膏能止痒。
S: 被蜜蜂蜇后，要尽快把刺横着刮出来。
S: 被蜇后如果脸部肿胀、喘息或头晕，属于急症。
F: 那怎么预防呢？
A: 用驱蚊剂、傍晚穿长袖、装纱窗都很有效。清除家附近的积水也能减少蚊子。

# dizziness | 头晕
Q: 我一站起来就头晕，正常吗？
Q: 为什么我一转头就天旋地转？
S: 站起来时短暂头晕，常常是血压一时下降造成的。
S: 慢慢站起来、喝够水，通常就会好转。
S: 转头时天旋地转，可能和内耳有关。
S: 某些药物、低血糖和贫血也会引起头晕。
S: 头晕伴胸痛、说话含糊或肢体无力，需要立即急诊。
F: 这种情况下开车安全吗？
A: 感到头晕或站不稳时不要开车。如果反复发作，先检查清楚再恢复正常驾驶。

# eye_strain | 眼疲劳
Q: 整天对着电脑，眼睛很累，怎么办？
Q: 一直看屏幕对眼睛不好吗？
S: 看屏幕常会让眼睛疲劳干涩，但不会造成永久损伤。
S: 试试20-20-20法则：每二十分钟看二十英尺外的地方二十秒。
S: 屏幕放在略低于视线的位置，并减少反光。
S: 多眨眼，眼睛干时可以用人工泪液。
S: 经常头痛或视物模糊，可能需要检查视力。
F: 防蓝光眼镜有用吗？
A: 目前的证据表明，防蓝光眼镜对缓解眼疲劳作用不大。定时休息和配对度数的眼镜效果更明显。

# toothache | 牙痛
Q: 我的牙一跳一跳地疼，看牙医之前能做什么？
Q: 为什么喝冷饮时牙会疼？
S: 牙痛通常需要牙医找出原因并处理。
S: 布洛芬等止痛药可以帮你撑到就诊。
S: 用温盐水漱口，避免吃太烫、太冰或太甜的东西。
S: 牙齿对冷敏感，可能是牙釉质磨损或牙根暴露。
S: 脸部肿胀、发烧或张嘴困难，需要紧急处理。
F: 我能等它自己好吗？
A: 就算暂时不疼了，龋齿或感染还会继续发展，疼痛往往会再来。早点看牙，治疗通常更简单、更便宜。

# painkillers | 非处方止痛药
Q: 对乙酰氨基酚和布洛芬有什么区别？
Q: 布洛芬和对乙酰氨基酚可以一起吃吗？
S: 对乙酰氨基酚能止痛退烧，布洛芬还能消炎。
S: 布洛芬应随餐服用，胃溃疡患者要避免使用。
S: 对乙酰氨基酚对胃比较温和，但每日剂量不能超过上限。
S: 成年人需要时可以短期交替或联合使用这两种药。
S: 注意看说明书，很多感冒药里已经含有对乙酰氨基酚。
F: 长期吃安全吗？
A: 长期每天服用止痛药，应该让医生评估一下。布洛芬可能影响胃和肾脏，经常服用止痛药还可能引起反跳性头痛。
"""

# --------------------------------------------------------------------------- finance / en
FINANCE_EN = """
# budgeting | making a budget
Q: I never know where my money goes each month. How do I start a budget?
Q: Is the 50/30/20 rule a good way to budget?
S: The first step is tracking every expense for a month to see where money goes.
S: A simple split is 50 percent needs, 30 percent wants and 20 percent saving.
S: Automating your savings on payday makes it happen before you can spend it.
S: Review the budget monthly and adjust categories that are always over.
S: A budget works best when it is realistic rather than very strict.
F: And what if my income changes every month?
A: With irregular income, budget from your lowest typical month and treat anything above that as a bonus. Keeping a buffer of one month's expenses in your account smooths out the gaps.

# emergency_fund | an emergency fund
Q: How big should my emergency fund be?
Q: Where should I keep emergency savings?
S: An emergency fund should usually cover three to six months of essential expenses.
S: Keep it in an easy-access savings account, not in shares.
S: Build it step by step, starting with a first goal of one month.
S: Only use it for real emergencies like job loss, repairs or medical bills.
S: Refill it as a priority after you dip into it.
F: Should I pay off debt first or build this first?
A: Many people build a small starter fund first, then focus on high-interest debt, then finish the full fund. This avoids new borrowing when something unexpected happens.

# index_funds | index funds
Q: What exactly is an index fund?
Q: Are index funds better than picking stocks myself?
S: An index fund holds all the shares in a market index at low cost.
S: Because it tracks the market, it avoids the risk of betting on single companies.
S: Low fees matter, because costs compound against you over decades.
S: Most active funds fail to beat their index over long periods after fees.
S: They still rise and fall with the market, so they suit long-term money.
F: How do I choose which one to buy?
A: Compare the index it tracks, the annual fee and how closely it follows the index. A broad global or total-market fund is a common starting point.

# compound_interest | compound interest
Q: Can you explain compound interest with an example?
Q: Why do people say to start saving early?
S: Compound interest means you earn returns on your previous returns too.
S: For example, 1000 at 5 percent a year grows to about 1630 after ten years.
S: Time is the key ingredient, so starting early makes a big difference.
S: The same effect works against you on debts like credit cards.
S: Reinvesting interest and dividends lets compounding do its work.
F: Is there a quick way to estimate it?
A: The rule of 72 is a handy shortcut: divide 72 by the annual rate to get roughly how many years it takes to double. At 6 percent, money doubles in about 12 years.

# mortgage | getting a mortgage
Q: How much house can I afford?
Q: Should I choose a fixed or variable rate mortgage?
S: Lenders look at your income, debts, credit history and deposit.
S: A larger deposit usually means a lower interest rate and smaller payments.
S: A fixed rate gives certainty, while a variable rate can move up or down.
S: Keep total housing costs to a comfortable share of your take-home pay.
S: Remember fees, insurance, taxes and maintenance on top of the monthly payment.
F: And what about paying it off early?
A: Overpaying can save a lot of interest, but check for early repayment fees first. It often makes sense only after you have an emergency fund and no costlier debts.

# credit_score | credit scores
Q: How can I improve my credit score quickly?
Q: Does checking my own credit score lower it?
S: Paying every bill on time is the biggest factor in your credit score.
S: Keeping card balances low compared with your limits also helps.
S: Checking your own score does not lower it.
S: Applying for lots of new credit in a short time can pull it down.
S: Check your report for errors and ask the agency to correct them.
F: How long do late payments stay on record?
A: In many countries late payments stay on a credit report for about six years, but their impact fades over time. A steady record of on-time payments gradually rebuilds the score.

# inflation | inflation
Q: What does inflation mean for my savings?
Q: How can I protect my money from inflation?
S: Inflation means prices rise, so the same money buys less over time.
S: Cash earning less than inflation slowly loses purchasing power.
S: Over long periods, shares and property have tended to beat inflation.
S: Some governments offer inflation-linked bonds that adjust with prices.
S: Keep short-term money safe, and invest long-term money for growth.
F: Why do central banks raise rates then?
A: Raising interest rates makes borrowing more expensive, which cools spending and helps slow price rises. It also tends to raise savings rates, which is good news for savers.

# retirement | retirement saving
Q: How much should I save for retirement?
Q: I'm 35 and haven't saved anything for retirement. Is it too late?
S: A common guide is to save 10 to 15 percent of income for retirement.
S: Starting early gives compound growth more time to work.
S: Use tax-advantaged pension accounts where available.
S: Younger savers can usually hold more in shares, shifting to safer assets later.
S: It is never too late, and raising contributions with each pay rise helps.
F: What about when I'm close to retiring?
A: Closer to retirement, many people reduce risk so a market fall does not hit their plans. It also helps to estimate your yearly spending and check what income your savings can support.

# dividend_tax | taxes on dividends
Q: Do I have to pay tax on dividends?
Q: How are dividends from foreign shares taxed?
S: In most countries dividends count as taxable income.
S: Many tax systems give an allowance or a lower rate for dividends.
S: Holding shares in a tax-free or pension account can shelter dividends.
S: Foreign dividends may have tax withheld abroad, which can sometimes be credited.
S: Keep records of dividends received for your annual tax return.
F: What about reinvested dividends?
A: Reinvested dividends are usually still taxable in the year you receive them. They also add to the cost of your holding, which matters when you later sell.

# bonds | bonds
Q: What is a bond and how does it work?
Q: Why do bond prices fall when interest rates rise?
S: A bond is a loan to a government or company that pays interest.
S: At maturity, the borrower repays the original amount.
S: When rates rise, older bonds with lower rates become less valuable.
S: Government bonds are usually safer than company bonds but pay less.
S: Bonds often steady a portfolio when share prices fall.
F: Is it better to buy bonds or a bond fund?
A: A bond fund spreads money across many bonds and is simple to buy and sell. Holding single bonds to maturity gives a known payout but needs more money to diversify.

# stocks | buying individual stocks
Q: Should I buy shares in companies I like?
Q: How do I start investing in the stock market?
S: Buying single stocks is riskier than owning a broad fund.
S: A company you like as a customer is not always a good investment.
S: Look at earnings, debt and valuation, not just the story.
S: Limit any single company to a small share of your portfolio.
S: Only invest money you can leave invested for at least five years.
F: What about day trading?
A: Most day traders lose money once fees and taxes are counted. It needs time, discipline and tolerance for losses, so it is not a reliable way to build wealth.

# diversification | diversification
Q: What does it mean to diversify my investments?
Q: Is owning five tech stocks diversified enough?
S: Diversification means spreading money so no single loss hurts too much.
S: Mix different companies, industries, countries and asset types.
S: Five shares in one sector are still concentrated risk.
S: Broad index funds give instant diversification at low cost.
S: It does not prevent losses, but it reduces the chance of a disaster.
F: Can I have too much diversification?
A: Owning many funds that hold the same shares adds complexity without extra benefit. A few broad funds usually cover what most people need.

# credit_card_debt | credit card debt
Q: I have a lot of credit card debt. How do I get out?
Q: Is it worth moving my balance to a zero percent card?
S: Credit card debt is expensive, so paying it down is a top priority.
S: Always pay more than the minimum, or it can take years to clear.
S: A zero percent balance transfer can help if you clear it before the offer ends.
S: Stop adding new spending to the card while you repay.
S: Free debt advice services can help negotiate a plan if it feels unmanageable.
F: Should I close the card afterwards?
A: Closing an old card can slightly lower your credit score by reducing available credit. Keeping it open with no balance is often fine if you trust yourself not to use it.

# student_loans | student loans
Q: Should I pay off my student loan early?
Q: How does student loan interest work?
S: Whether to repay early depends mainly on the interest rate.
S: High-rate loans are worth paying down faster than low-rate ones.
S: Some public loans are linked to income or written off after many years.
S: Saving for emergencies and retirement may come first if the rate is low.
S: Check the exact terms, as rules differ a lot between loans.
F: What about refinancing?
A: Refinancing to a lower rate can cut costs, but it may remove protections that public loans offer. Compare total costs and benefits carefully before switching.

# car_finance | financing a car
Q: Is it better to lease or buy a car?
Q: Should I take the dealer's car loan?
S: Buying outright is usually cheapest over the long run.
S: Leasing offers lower payments but you own nothing at the end.
S: Compare the dealer's loan with offers from banks and credit unions.
S: Look at the total cost of the loan, not just the monthly payment.
S: A reliable used car often saves a lot compared with a new one.
F: How long should the loan be?
A: Shorter loans cost less interest overall, even though payments are higher. Very long loans can leave you owing more than the car is worth.

# rent_vs_buy | renting versus buying a home
Q: Is renting really throwing money away?
Q: Should I rent or buy a home?
S: Renting is not wasted money, because you are paying for housing and flexibility.
S: Buying builds equity but comes with interest, fees, taxes and maintenance.
S: Buying usually makes more sense if you plan to stay five years or more.
S: Compare the full cost of owning with rent plus investing the difference.
S: Your job security and need to move should shape the decision.
F: And what about the deposit?
A: A bigger deposit lowers your loan and often your interest rate. Saving it in a safe account is sensible if you plan to buy within a few years.

# insurance | home insurance
Q: Do I really need contents insurance as a renter?
Q: How do I choose a home insurance policy?
S: Insurance protects you from losses you could not easily pay yourself.
S: Renters usually need contents cover, while owners need buildings cover too.
S: Check the excess, exclusions and claim limits, not just the price.
S: Make a list of valuables and their value to avoid underinsuring.
S: Compare quotes each year rather than renewing automatically.
F: Does it cover flooding?
A: Flood cover depends on the policy and location, and some policies exclude it. Read the policy wording or ask the insurer directly.

# life_insurance | life insurance
Q: Do I need life insurance?
Q: What is the difference between term and whole life insurance?
S: Life insurance matters most if others rely on your income.
S: Term insurance covers a set period and is usually the cheapest.
S: Whole life insurance lasts for life but costs much more.
S: A common guide is cover of several years of income plus debts.
S: People with no dependants often do not need it.
F: How long should the term be?
A: Many people choose a term that lasts until their children are independent or the mortgage is paid off. Match the cover to how long others depend on you.

# education_saving | saving for a child's education
Q: How should I save for my child's education?
Q: When should I start saving for university costs?
S: Starting early lets small monthly amounts grow over many years.
S: Some countries offer tax-advantaged education savings accounts.
S: For goals over ten years away, a mix with shares can grow more.
S: Move to safer assets as the start date gets close.
S: Balance this with your own retirement saving, which has no loans to fall back on.
F: Should the account be in my name or my child's?
A: It depends on the tax rules and on how much control you want, since some accounts pass to the child at adulthood. Checking local rules first is important.

# debt_payoff | paying off debt
Q: Should I pay off the smallest debt or the highest-interest debt first?
Q: What's the snowball method?
S: The avalanche method pays the highest-interest debt first and saves the most.
S: The snowball method pays the smallest balance first for quick wins.
S: Either works if you stick with it and pay the minimum on everything else.
S: Listing all debts with balances and rates makes the plan clear.
S: Consolidating debts can help if it lowers the overall rate.
F: And is a consolidation loan a good idea?
A: A consolidation loan helps if the new rate is lower and you stop using the old cards. Watch for fees and longer terms that raise the total cost.

# interest_rates | interest rate changes
Q: How do interest rate rises affect me?
Q: Will falling interest rates make borrowing cheaper?
S: Rate rises make borrowing costlier and saving more rewarding.
S: Variable rate loans and mortgages respond quickly to changes.
S: Fixed rates protect you until the fixed period ends.
S: Falling rates usually lower loan costs but also savings returns.
S: Plan your budget for possible rate changes on any variable debt.
F: Should I fix my mortgage now?
A: Fixing gives certainty, which is valuable if a higher payment would strain your budget. Nobody can predict rates reliably, so choose based on what you can afford.

# savings_account | high-interest savings accounts
Q: Where can I get the best interest on my savings?
Q: Are online savings accounts safe?
S: Savings rates vary a lot between banks, so it pays to shop around.
S: Online banks often pay more than traditional banks.
S: Check that deposits are covered by a government guarantee scheme.
S: Watch for bonus rates that drop after a few months.
S: Easy access suits emergency money, while fixed terms suit planned goals.
F: Is there a limit to the protection?
A: Deposit protection usually has a limit per person per bank. If you have large savings, spreading them across separate banks keeps them covered.

# fixed_deposits | fixed-term deposits
Q: Is a fixed-term deposit a good idea?
Q: What happens if I need the money before the term ends?
S: A fixed-term deposit locks money away for a set period at a set rate.
S: Rates are often higher than on easy-access accounts.
S: Withdrawing early may mean a penalty or a loss of interest.
S: Staggering deposits over different terms keeps some money available.
S: They suit money you know you will not need for the whole term.
F: What if rates rise after I lock in?
A: You keep the agreed rate, so you may miss out if rates rise. Shorter terms or staggered deposits reduce this risk.

# etfs | ETFs
Q: What is an ETF?
Q: Are ETFs better than mutual funds?
S: An ETF is a fund that trades on the stock exchange like a share.
S: Many ETFs track an index and have very low fees.
S: You can buy and sell them during the trading day.
S: Compare fees, tracking and the underlying holdings before buying.
S: Specialist or leveraged ETFs carry much higher risk.
F: Do they pay dividends?
A: Many ETFs pay out dividends from the shares they hold, while accumulating versions reinvest them automatically. Choose the type that suits your income needs and tax situation.

# dca | investing a fixed amount every month
Q: Is it better to invest a lump sum or a bit every month?
Q: What is dollar-cost averaging?
S: Investing a fixed amount every month is called dollar-cost averaging.
S: It buys more units when prices are low and fewer when they are high.
S: It removes the pressure of trying to time the market.
S: A lump sum often does slightly better on average because markets tend to rise.
S: Monthly investing suits people who save from their regular income.
F: How long should I keep doing it?
A: It works best as a long-term habit kept up through good and bad markets. Stopping during a downturn removes the main benefit.

# crypto | cryptocurrency
Q: Should I put my savings into Bitcoin?
Q: Is cryptocurrency a good investment?
S: Cryptocurrency is highly volatile and can lose much of its value quickly.
S: Only invest money you could afford to lose completely.
S: Keep it to a small part of your portfolio, if you hold any at all.
S: Use reputable platforms and protect your accounts with strong security.
S: Be wary of promises of guaranteed returns, which are common in scams.
F: How are the gains taxed?
A: In many countries selling or swapping crypto at a profit is a taxable event. Keep records of every purchase and sale to calculate gains correctly.

# property_investing | buying a rental property
Q: Is buying a rental property a good investment?
Q: What should I check before becoming a landlord?
S: Rental property can provide income but takes time and money.
S: Include mortgage costs, repairs, insurance, taxes and empty months.
S: Rental yield is the yearly rent divided by the price of the property.
S: Property is hard to sell quickly, so it ties up your money.
S: Borrowing magnifies both gains and losses.
F: What about using a letting agent?
A: A letting agent saves time and handles tenants and repairs, but usually charges a percentage of the rent. Factor that fee into your numbers.

# employer_match | employer pension matching
Q: My employer matches pension contributions. Should I join?
Q: How much should I put in to get the full match?
S: An employer match is essentially free money toward your retirement.
S: Contribute at least enough to get the full match.
S: Contributions often come with tax relief as well.
S: Check whether the match has a vesting period before it is yours.
S: Review the default fund to make sure it suits your timeline.
F: What if I change jobs?
A: Your pension normally stays yours when you leave, and you can often transfer it or leave it invested. Keep track of old accounts so none get forgotten.

# capital_gains | capital gains tax
Q: Do I pay tax when I sell shares at a profit?
Q: How can I reduce capital gains tax?
S: Capital gains tax applies to profits when you sell an asset.
S: Many systems have a yearly tax-free allowance for gains.
S: Holding investments in tax-free accounts avoids gains tax.
S: Losses can often be offset against gains.
S: Keep records of purchase prices and costs to calculate gains.
F: Does my home count?
A: In many countries your main home is exempt or partly exempt from gains tax. Second homes and rental property are usually taxed.

# currency_exchange | exchanging money for travel
Q: What's the cheapest way to get foreign currency for a trip?
Q: Should I pay in local currency or my home currency abroad?
S: Airport exchange desks usually offer the worst rates.
S: Cards with no foreign transaction fees are often the cheapest option.
S: When a card machine offers your home currency, choose the local currency instead.
S: Compare the rate offered with the mid-market rate to see the real cost.
S: Carry a little cash as backup in case cards are not accepted.
F: And what about ATMs abroad?
A: Foreign ATMs can be cheap if your card has low fees, but some machines add their own charge. Take out larger amounts less often to limit fixed fees.

# scams | investment scams
Q: Someone promised me 20 percent monthly returns. Is it a scam?
Q: How do I spot an investment scam?
S: Guaranteed high returns with no risk are a classic sign of a scam.
S: Pressure to act quickly or keep it secret is another warning sign.
S: Check that the firm is registered with the financial regulator.
S: Never send money to someone you only met online.
S: If something seems too good to be true, it usually is.
F: What if I already sent money?
A: Contact your bank immediately, as they can sometimes stop or recover the payment. Report it to the police and the financial regulator, and beware of follow-up recovery scams.

# net_worth | tracking net worth
Q: How do I calculate my net worth?
Q: Why should I track my net worth?
S: Net worth is everything you own minus everything you owe.
S: Include savings, investments, pensions and property, less all debts.
S: Tracking it once or twice a year shows your real progress.
S: A negative number early in life is common and not a disaster.
S: Focus on the trend over time rather than month-to-month changes.
F: Should I include my car?
A: You can include a car at a realistic resale value, but it loses value every year. Many people leave it out to keep the figure focused on savings.

# side_income | earning side income
Q: How can I earn some extra money on the side?
Q: Do I have to pay tax on side income?
S: Side income often comes from freelancing, tutoring or selling skills.
S: Start with skills you already have to avoid upfront costs.
S: In most countries extra income must be declared for tax.
S: Set aside part of each payment for tax so the bill is not a surprise.
S: Track your hours to make sure the pay is worth the time.
F: Should I use it to invest?
A: Using side income to build savings or clear debt can speed up your goals a lot. Once you have an emergency fund, investing part of it is a sensible next step.

# cutting_costs | cutting monthly expenses
Q: How can I cut my monthly spending?
Q: What are easy ways to save money on bills?
S: The biggest savings usually come from housing, transport and food.
S: Compare energy, phone and insurance deals every year.
S: Plan meals and shop with a list to cut food waste.
S: Cancel services you no longer use.
S: Small daily savings add up, but big fixed costs matter most.
F: And what about groceries specifically?
A: Buying store brands, cooking in batches and checking unit prices can cut grocery bills noticeably. Avoid shopping when hungry, as it leads to impulse buys.

# subscriptions | forgotten subscriptions
Q: I think I'm paying for too many subscriptions. What should I do?
Q: How do I keep track of recurring payments?
S: A good first step is listing every recurring payment on your bank statements.
S: Cancel anything you have not used in the last month.
S: Rotate streaming services instead of paying for all of them at once.
S: Set reminders before free trials turn into paid plans.
S: Annual plans can be cheaper if you are sure you will use them.
F: What if a company won't let me cancel?
A: Keep written evidence of your request and check your account settings for a cancel option. Your bank may be able to stop future card payments to that company.

# gold | investing in gold
Q: Is gold a good investment?
Q: Should I buy gold when markets are uncertain?
S: Gold is often seen as a store of value in uncertain times.
S: It pays no interest or dividends, so returns come only from price changes.
S: Its price can swing sharply over short periods.
S: Funds that track gold avoid storage and insurance costs.
S: A small share of a portfolio is usually enough, if any.
F: Coins or a fund, which is better?
A: Physical coins need safe storage and have wider buying and selling spreads. A low-cost gold fund is simpler for most investors.

# market_crash | a stock market crash
Q: The market dropped 20 percent. Should I sell everything?
Q: How should I prepare for a market crash?
S: Selling in a panic often locks in losses.
S: Markets have historically recovered from crashes, though it can take years.
S: An emergency fund means you will not be forced to sell at a low point.
S: Regular investing during falls buys at lower prices.
S: Make sure your mix of investments matches your timeline and your nerves.
F: What if I need the money next year?
A: Money needed within a year or two should ideally not be in shares at all. If it already is, reducing risk gradually may make sense for your situation.

# fund_fees | fund fees
Q: Do fund fees really matter?
Q: What is an expense ratio?
S: Fees matter because they are taken every year, whatever the returns.
S: The expense ratio is the yearly fee as a percentage of your investment.
S: A one percent fee can cost a large share of gains over decades.
S: Also check platform fees, trading costs and exit charges.
S: Low-cost index funds often charge a fraction of what active funds charge.
F: How low is low enough?
A: For broad index funds, fees well below half a percent a year are common. Paying more only makes sense for a clear reason you understand.

# rebalancing | rebalancing a portfolio
Q: What does rebalancing a portfolio mean?
Q: How often should I rebalance my investments?
S: Rebalancing brings your investment mix back to its target.
S: For example, if shares grow beyond target, you sell some and buy bonds.
S: Once a year, or when the mix drifts by a set amount, is common.
S: Using new contributions to rebalance can avoid selling.
S: Watch for taxes and fees when selling outside tax-free accounts.
F: Is it really necessary?
A: Without rebalancing, your portfolio can drift into more risk than you intended. It also enforces a habit of buying low and selling high.

# bnpl | buy now, pay later
Q: Is buy now, pay later a good idea?
Q: Are pay-later apps bad for my credit?
S: Buy now, pay later splits a purchase into several payments.
S: It can be interest-free if you pay on time.
S: Missed payments can bring fees and may affect your credit record.
S: It makes it easy to overspend across many small plans.
S: Treat it like any other debt and only use it for planned purchases.
F: Should I use it for groceries?
A: Using pay-later plans for everyday essentials can be a sign the budget is under strain. It may be worth reviewing spending or seeking free debt advice.
"""

# --------------------------------------------------------------------------- finance / zh
FINANCE_ZH = """
# budgeting | 做预算
Q: 我每个月都不知道钱花哪儿去了，怎么开始做预算？
Q: 50/30/20法则适合用来做预算吗？
S: 第一步是把一个月的每笔开销都记下来，看看钱花在哪里。
S: 一个简单的分法是：50%用于必需开支，30%用于想要的东西，20%用于储蓄。
S: 发工资当天自动转存，钱还没来得及花就先存下了。
S: 每月回顾一次预算，调整总是超支的类别。
S: 现实可行的预算比过于严格的预算更容易坚持。
F: 那如果我每个月收入都不一样呢？
A: 收入不固定的话，按收入较低的月份做预算，多出来的部分当作额外收入。账户里留一个月开支的缓冲，可以平滑收入波动。

# emergency_fund | 应急资金
Q: 应急资金应该存多少？
Q: 应急的钱放在哪里比较好？
S: 应急资金一般建议存够三到六个月的必要开支。
S: 放在随时能取的储蓄账户里，而不是股票里。
S: 可以一步步来，先定一个存够一个月开支的小目标。
S: 只在失业、维修或看病等真正紧急的情况下动用。
S: 用过之后，要优先把它补回来。
F: 那是先还债还是先存这笔钱？
A: 很多人会先存一小笔启动资金，再集中偿还高息债务，最后存满应急资金。这样遇到意外时就不用再借钱。

# index_funds | 指数基金
Q: 指数基金到底是什么？
Q: 指数基金比自己选股好吗？
S: 指数基金以低成本持有某个市场指数里的全部股票。
S: 它跟踪整个市场，避免了押注单个公司的风险。
S: 费率很重要，因为成本会在几十年里不断侵蚀收益。
S: 扣除费用后，大多数主动基金长期跑不赢指数。
S: 它仍会随市场涨跌，所以适合长期不用的钱。
F: 那怎么挑选具体哪一只？
A: 比较它跟踪的指数、年费率和跟踪误差。覆盖面广的全球或全市场基金是常见的起点。

# compound_interest | 复利
Q: 能举个例子解释一下复利吗？
Q: 为什么大家都说要尽早开始存钱？
S: 复利就是之前赚到的收益也会继续产生收益。
S: 比如1000元按年化5%计算，十年后大约变成1630元。
S: 时间是复利的关键，所以越早开始差别越大。
S: 同样的效应在信用卡等债务上会反过来对你不利。
S: 把利息和分红再投资，才能让复利发挥作用。
F: 有没有快速估算的方法？
A: 72法则很好用：用72除以年收益率，大致就是翻倍所需的年数。年化6%的话，大约12年翻一倍。

# mortgage | 房贷
Q: 我能买多少钱的房子？
Q: 房贷选固定利率还是浮动利率？
S: 银行会看你的收入、负债、信用记录和首付。
S: 首付越多，利率通常越低，月供也越少。
S: 固定利率更确定，浮动利率则可能上调也可能下调。
S: 住房总支出最好控制在税后收入中比较舒适的比例。
S: 除了月供，还要算上各种费用、保险、税费和维修。
F: 那提前还款划算吗？
A: 提前还款能省下不少利息，但要先确认有没有违约金。通常在有了应急资金、也没有更贵的债务之后再考虑。

# credit_score | 信用分
Q: 怎样才能快速提高信用分？
Q: 自己查信用分会降低分数吗？
S: 按时还清每一笔账单是影响信用分最大的因素。
S: 信用卡欠款相对额度保持在低水平也有帮助。
S: 自己查询信用分不会降低分数。
S: 短时间内频繁申请新的贷款或信用卡会拉低分数。
S: 检查信用报告中有没有错误，有的话要求机构更正。
F: 逾期记录会保留多久？
A: 在很多国家，逾期记录会在信用报告上保留约五到六年，但影响会逐渐减弱。持续按时还款会慢慢把分数修复。

# inflation | 通货膨胀
Q: 通货膨胀对我的存款意味着什么？
Q: 怎样让钱不被通胀吃掉？
S: 通胀意味着物价上涨，同样的钱能买的东西越来越少。
S: 收益低于通胀的现金，购买力会慢慢缩水。
S: 从长期看，股票和房产通常能跑赢通胀。
S: 有些国家发行与通胀挂钩的债券，收益随物价调整。
S: 短期要用的钱求稳，长期的钱再考虑投资增值。
F: 那央行为什么要加息？
A: 加息让借钱更贵，从而给消费降温，帮助抑制物价上涨。同时储蓄利率往往也会上升，对存钱的人是好消息。

# retirement | 养老储蓄
Q: 为退休应该存多少钱？
Q: 我35岁了还没为退休存过钱，晚了吗？
S: 一个常见的参考是把收入的10%到15%存作养老。
S: 越早开始，复利增长的时间就越长。
S: 有税收优惠的养老账户要尽量利用。
S: 年轻时可以多配置股票，临近退休再逐步转向稳健资产。
S: 任何时候开始都不算晚，每次涨薪时提高存款比例很有帮助。
F: 那快退休的时候呢？
A: 临近退休时，很多人会降低风险，免得一次市场下跌打乱计划。估算每年的开支，看看储蓄能支撑多少收入，也很有帮助。

# dividend_tax | 股息税
Q: 拿到的股息要交税吗？
Q: 海外股票的股息怎么征税？
S: 在大多数国家，股息属于应税收入。
S: 很多税制对股息有免税额度或较低税率。
S: 把股票放在免税账户或养老账户里，可以让股息免税。
S: 海外股息可能在当地被预扣税，有时可以抵免。
S: 保留收到股息的记录，方便年度报税。
F: 那分红再投资也要交税吗？
A: 分红再投资通常仍要在收到的那一年纳税。它也会计入持仓成本，以后卖出时计算收益会用到。

# bonds | 债券
Q: 债券是什么，怎么运作的？
Q: 为什么利率上升时债券价格会下跌？
S: 债券就是借钱给政府或公司，对方按期支付利息。
S: 到期时，借款方归还本金。
S: 利率上升时，票面利率较低的旧债券就不那么值钱了。
S: 国债通常比公司债安全，但收益也更低。
S: 股市下跌时，债券常常能稳住投资组合。
F: 买单只债券好还是买债券基金好？
A: 债券基金把钱分散到很多债券上，买卖也方便。持有单只债券到期收益确定，但要分散风险需要更多资金。

# stocks | 买个股
Q: 我该买自己喜欢的公司的股票吗？
Q: 怎么开始投资股市？
S: 买个股比持有宽基基金风险更大。
S: 作为消费者喜欢的公司，不一定是好的投资。
S: 要看盈利、负债和估值，而不只是听故事。
S: 任何一家公司在投资组合里的占比都应该很小。
S: 只投入至少五年内用不到的钱。
F: 那做日内交易呢？
A: 算上手续费和税，大多数日内交易者都是亏钱的。它需要时间、纪律和承受亏损的能力，不是可靠的致富途径。

# diversification | 分散投资
Q: 分散投资是什么意思？
Q: 持有五只科技股算分散吗？
S: 分散投资就是把钱分开放，避免单一损失伤筋动骨。
S: 可以在不同公司、行业、国家和资产类别之间搭配。
S: 同一行业的五只股票，风险依然很集中。
S: 宽基指数基金能以低成本立刻实现分散。
S: 分散不能避免亏损，但能降低遭遇重大损失的可能。
F: 会不会分散过头？
A: 持有很多只重仓相同股票的基金，只会增加复杂度，并没有额外好处。几只覆盖面广的基金通常就够了。

# credit_card_debt | 信用卡欠款
Q: 我欠了很多信用卡债，怎么才能还清？
Q: 把欠款转到零利率的卡上值得吗？
S: 信用卡债务利息很高，优先偿还很重要。
S: 每次都要多还一些，只还最低还款额可能要好几年才能还清。
S: 如果能在优惠期结束前还清，零利率余额转移会有帮助。
S: 还款期间不要再用这张卡消费。
S: 如果觉得难以应付，免费的债务咨询机构可以帮你协商还款计划。
F: 还清后要把卡注销吗？
A: 注销老卡会减少可用额度，可能让信用分略微下降。如果你能管住自己，保留一张不欠款的卡通常没问题。

# student_loans | 助学贷款
Q: 助学贷款要不要提前还？
Q: 助学贷款的利息是怎么算的？
S: 要不要提前还，主要看利率高低。
S: 高利率的贷款比低利率的更值得尽快还。
S: 有些公共助学贷款与收入挂钩，或在多年后可以减免。
S: 如果利率很低，可以先存应急资金和养老钱。
S: 具体条款各不相同，一定要仔细看清楚。
F: 那转贷呢？
A: 转到更低的利率可以省钱，但可能会失去公共贷款原有的保障。换之前要仔细比较总成本和各项权益。

# car_finance | 买车贷款
Q: 买车好还是租车好？
Q: 要不要用4S店提供的车贷？
S: 长期来看，全款买车通常最省钱。
S: 租车月供更低，但到期后车不是你的。
S: 把经销商的贷款和银行的贷款方案比较一下。
S: 看贷款的总成本，而不只是每月的还款额。
S: 买一辆靠谱的二手车，往往比买新车省很多。
F: 贷款期限选多长好？
A: 期限越短，总利息越少，虽然月供更高。期限太长可能导致欠款比车的价值还高。

# rent_vs_buy | 租房还是买房
Q: 租房真的是在浪费钱吗？
Q: 我应该租房还是买房？
S: 租房不是浪费钱，你买到的是住所和灵活性。
S: 买房能积累资产，但要付利息、各种费用、税和维修费。
S: 如果打算住五年以上，买房通常更划算。
S: 把买房的全部成本，与租房再把差额拿去投资的结果作比较。
S: 工作稳定性和搬家的可能性，都应该纳入考虑。
F: 那首付呢？
A: 首付越多，贷款越少，利率往往也更低。如果几年内要买房，把首付存在安全的账户里比较稳妥。

# insurance | 家庭财产保险
Q: 租房的人真的需要买家庭财产险吗？
Q: 怎么挑选家庭保险？
S: 保险是为了防范自己难以承受的损失。
S: 租房者通常需要室内财产险，房主还需要房屋结构险。
S: 除了价格，还要看免赔额、除外责任和赔付上限。
S: 列一份贵重物品清单和价值，避免保额不足。
S: 每年比较一下报价，不要自动续保。
F: 那水灾保不保？
A: 水灾是否在保障范围内取决于保单和所在地区，有些保单不保。仔细阅读条款或直接问保险公司。

# life_insurance | 人寿保险
Q: 我需要买人寿保险吗？
Q: 定期寿险和终身寿险有什么区别？
S: 如果有人依靠你的收入生活，人寿保险就特别重要。
S: 定期寿险在约定期限内有效，通常最便宜。
S: 终身寿险保障终身，但保费高得多。
S: 常见的参考是保额覆盖几年收入再加上负债。
S: 没有需要供养的人，通常不太需要。
F: 保障期限选多长？
A: 很多人会选到孩子独立或房贷还清为止。保障期限要和别人依靠你的时间相匹配。

# education_saving | 子女教育储蓄
Q: 怎么为孩子存教育金？
Q: 什么时候开始为孩子上大学存钱？
S: 越早开始，每月的小额存款就有越长的时间增长。
S: 有些国家提供有税收优惠的教育储蓄账户。
S: 十年以上的目标，配置一部分股票可能增长更多。
S: 临近入学时，逐步转向稳健资产。
S: 也要兼顾自己的养老储蓄，养老可没有贷款可借。
F: 账户开在我名下还是孩子名下？
A: 这取决于税收规定以及你想保留多少控制权，有些账户在孩子成年后归孩子所有。先了解当地规定很重要。

# debt_payoff | 还债策略
Q: 先还最小的债还是先还利息最高的债？
Q: 什么是雪球还债法？
S: 雪崩法先还利率最高的债，总体最省钱。
S: 雪球法先还余额最小的债，能很快看到成效。
S: 只要坚持下去，其余债务按最低额还款，两种方法都有效。
S: 把所有债务的余额和利率列出来，计划会更清晰。
S: 如果能降低整体利率，债务整合也会有帮助。
F: 那债务整合贷款靠谱吗？
A: 如果新贷款利率更低，而且你不再使用旧信用卡，整合贷款是有帮助的。注意手续费和更长的期限会推高总成本。

# interest_rates | 利率变化
Q: 加息对我有什么影响？
Q: 降息会让借钱更便宜吗？
S: 加息让借钱更贵，存钱更划算。
S: 浮动利率的贷款和房贷会很快受到影响。
S: 固定利率在固定期内能保护你不受影响。
S: 降息通常会降低贷款成本，但存款收益也会下降。
S: 有浮动利率负债的话，预算里要为利率变化留出余地。
F: 那我现在要不要把房贷转成固定利率？
A: 如果月供上升会让你吃紧，固定利率带来的确定性就很有价值。没有人能准确预测利率，按自己的承受能力来决定。

# savings_account | 高息储蓄账户
Q: 哪里的存款利息最高？
Q: 网上银行的储蓄账户安全吗？
S: 各家银行的存款利率差别很大，值得多比较几家。
S: 网上银行的利率往往比传统银行高。
S: 确认存款受到政府存款保险的保障。
S: 留意几个月后就会下调的优惠利率。
S: 应急资金适合活期，有明确计划的钱适合定期。
F: 存款保障有上限吗？
A: 存款保险通常对每人在每家银行有一个上限。存款较多的话，分散到不同银行可以都受到保障。

# fixed_deposits | 定期存款
Q: 定期存款划算吗？
Q: 定期没到期就要用钱怎么办？
S: 定期存款是把钱按固定利率存一段固定时间。
S: 利率通常比活期账户高。
S: 提前支取可能要付违约金或损失利息。
S: 把钱分成不同期限的几笔，能保证一部分随时可用。
S: 适合确定整个存期都用不到的钱。
F: 存了之后利率上涨怎么办？
A: 你会按约定的利率计息，所以利率上涨时可能会错过。期限短一些或分批存，可以降低这个风险。

# etfs | ETF
Q: ETF是什么？
Q: ETF比普通公募基金好吗？
S: ETF是在交易所像股票一样买卖的基金。
S: 很多ETF跟踪指数，费率非常低。
S: 交易时间内可以随时买卖。
S: 买之前比较费率、跟踪误差和持仓。
S: 行业主题或杠杆类ETF风险要高得多。
F: 它们会分红吗？
A: 很多ETF会把持有股票的股息分给投资者，累积型则会自动再投资。根据自己的收入需求和税务情况来选择类型。

# dca | 基金定投
Q: 一次性投入好还是每月定投好？
Q: 什么是定投？
S: 每月固定投入一笔钱，叫作定期定额投资。
S: 价格低时买到更多份额，价格高时买得少。
S: 它省去了择时的压力。
S: 由于市场长期倾向上涨，一次性投入平均来看往往略好。
S: 每月定投很适合从工资中储蓄的人。
F: 要坚持多久？
A: 定投最适合作为长期习惯，无论牛市熊市都坚持。在下跌时停止，就失去了它最主要的好处。

# crypto | 加密货币
Q: 我该把积蓄投进比特币吗？
Q: 加密货币是好的投资吗？
S: 加密货币波动极大，价值可能很快大幅缩水。
S: 只投入你完全亏掉也能承受的钱。
S: 即使要投，也只占投资组合的一小部分。
S: 使用正规平台，并为账户设置可靠的安全保护。
S: 警惕承诺保证收益的说法，这在骗局中很常见。
F: 赚的钱怎么交税？
A: 在很多国家，出售或兑换加密货币获利是应税行为。保留每次买卖的记录，才能正确计算收益。

# property_investing | 买房出租
Q: 买房出租是好投资吗？
Q: 当房东之前要考虑什么？
S: 出租房能带来收入，但需要投入时间和金钱。
S: 要把房贷、维修、保险、税费和空置期都算进去。
S: 租金回报率是年租金除以房价。
S: 房产不容易快速卖出，会占用你的资金。
S: 借贷会同时放大收益和亏损。
F: 找中介管理怎么样？
A: 租房中介能省时间，负责找租客和维修，但通常要收取一定比例的租金。把这笔费用算进你的账里。

# employer_match | 企业年金配缴
Q: 公司为养老金提供配缴，我要参加吗？
Q: 我要缴多少才能拿到全额配缴？
S: 公司配缴基本上就是送给你的养老钱。
S: 至少缴到能拿满配缴的额度。
S: 缴费通常还能享受税收优惠。
S: 看看配缴部分是否有归属期，满期后才完全属于你。
S: 检查默认的投资基金是否适合你的时间跨度。
F: 换工作了怎么办？
A: 离职后养老金通常仍归你所有，一般可以转移或继续留在原账户投资。记下所有旧账户，别让哪笔钱被遗忘。

# capital_gains | 资本利得税
Q: 卖股票赚了钱要交税吗？
Q: 怎样减少资本利得税？
S: 卖出资产获得的收益可能要缴资本利得税。
S: 很多税制每年有一定的免税额度。
S: 放在免税账户里的投资不用缴利得税。
S: 亏损通常可以抵扣收益。
S: 保留买入价格和费用的记录，方便计算收益。
F: 自住房算吗？
A: 在很多国家，自住房全部或部分免征资本利得税。第二套房和出租房通常需要缴税。

# currency_exchange | 出国换汇
Q: 出国旅游怎么换外币最划算？
Q: 在国外刷卡选当地货币还是本币结算？
S: 机场的兑换柜台汇率通常最差。
S: 免收境外交易费的银行卡往往最省钱。
S: 刷卡机让你选本币结算时，应选择当地货币。
S: 把报价汇率和中间价对比，就能看出真实成本。
S: 带一点现金备用，以防不能刷卡。
F: 那在国外的取款机取钱呢？
A: 如果你的卡手续费低，在国外取款可以很划算，但有些取款机会额外收费。每次多取一些、减少次数，可以少付固定手续费。

# scams | 投资骗局
Q: 有人承诺每月20%的回报，这是骗局吗？
Q: 怎么识别投资骗局？
S: 保证高回报又没有风险，是典型的骗局特征。
S: 催促你马上决定或要求保密，也是危险信号。
S: 核实对方是否在金融监管机构注册。
S: 不要给只在网上认识的人转钱。
S: 好得令人难以置信的事，通常就不是真的。
F: 如果已经转过钱了呢？
A: 立即联系你的银行，有时能拦截或追回款项。向警方和金融监管机构报案，并提防声称能帮你追回损失的二次诈骗。

# net_worth | 净资产
Q: 怎么计算自己的净资产？
Q: 为什么要跟踪净资产？
S: 净资产就是你拥有的一切减去你欠的一切。
S: 包括存款、投资、养老金和房产，再减去所有债务。
S: 每年计算一两次，就能看清自己的真实进展。
S: 年轻时净资产为负很常见，不必惊慌。
S: 关注长期趋势，而不是每个月的波动。
F: 车要算进去吗？
A: 可以按实际的二手价值把车算进去，但它每年都在贬值。很多人干脆不算，让数字更聚焦于储蓄。

# side_income | 副业收入
Q: 怎样赚点外快？
Q: 副业收入要交税吗？
S: 副业收入常来自自由职业、家教或出售技能。
S: 从已有的技能开始，避免前期投入。
S: 在大多数国家，额外收入需要申报纳税。
S: 每笔收入留出一部分用来交税，免得到时措手不及。
S: 记录花费的时间，确认收入值得付出。
F: 这笔钱要不要拿去投资？
A: 用副业收入存钱或还债，能大大加快实现目标。有了应急资金后，拿一部分去投资是合理的下一步。

# cutting_costs | 削减开支
Q: 怎样减少每月的开销？
Q: 有什么省水电话费的简单办法？
S: 最大的节省通常来自住房、交通和饮食这些大头。
S: 每年比较一下电费、话费和保险的套餐。
S: 提前计划饭菜，按清单购物，减少浪费。
S: 取消不再使用的服务。
S: 日常小钱积少成多，但固定大额开支影响最大。
F: 那买菜方面呢？
A: 买超市自有品牌、批量做饭、比较单价，都能明显降低伙食费。饿着肚子别去超市，容易冲动消费。

# subscriptions | 自动续费的订阅
Q: 我觉得自己订阅的服务太多了，怎么办？
Q: 怎么管理每月自动扣费？
S: 第一步是在银行流水里找出每一笔定期扣款。
S: 上个月没用过的都取消。
S: 视频会员可以轮流开，不用同时全开。
S: 在免费试用转为付费前设好提醒。
S: 确定会用的话，年付可能更便宜。
F: 要是对方不让我取消呢？
A: 保留你申请取消的书面记录，并在账户设置里找取消选项。银行也许能帮你停止对这家公司的后续扣款。

# gold | 投资黄金
Q: 黄金是好的投资吗？
Q: 市场不确定时要不要买黄金？
S: 在不确定时期，黄金常被视为保值工具。
S: 黄金没有利息和分红，收益只来自价格变化。
S: 它的价格短期内可能大起大落。
S: 黄金基金可以省去保管和保险的费用。
S: 即使配置，也只占组合的一小部分就够了。
F: 买金币还是买基金好？
A: 实物金币需要安全保管，买卖差价也更大。对大多数投资者来说，低费率的黄金基金更简单。

# market_crash | 股市暴跌
Q: 股市跌了20%，我要不要全部卖掉？
Q: 怎样为股市暴跌做好准备？
S: 恐慌性抛售往往会把浮亏变成实际损失。
S: 从历史看，市场都从暴跌中恢复过，只是可能需要几年。
S: 有了应急资金，就不会被迫在低点卖出。
S: 下跌期间坚持定投，能以更低的价格买入。
S: 确保投资组合与你的时间跨度和心理承受力相匹配。
F: 如果明年就要用这笔钱呢？
A: 一两年内要用的钱，最好根本不要放在股票里。如果已经投进去了，逐步降低风险可能更适合你。

# fund_fees | 基金费用
Q: 基金费用真的重要吗？
Q: 什么是管理费率？
S: 费用很重要，因为不管收益如何，每年都会扣。
S: 费率就是每年按投资金额收取的费用比例。
S: 1%的年费在几十年里可能吃掉一大块收益。
S: 还要留意平台费、交易费和赎回费。
S: 低成本指数基金的费率往往只是主动基金的零头。
F: 多低才算低？
A: 宽基指数基金的年费率远低于0.5%很常见。只有在你清楚理由的情况下，才值得付更高的费用。

# rebalancing | 投资组合再平衡
Q: 投资组合再平衡是什么意思？
Q: 多久做一次再平衡？
S: 再平衡就是把投资配置调回目标比例。
S: 比如股票涨得超过目标比例，就卖出一部分买入债券。
S: 常见做法是每年一次，或偏离超过一定幅度时调整。
S: 用新投入的资金来再平衡，可以避免卖出。
S: 在免税账户之外卖出时，要注意税费。
F: 真的有必要吗？
A: 不做再平衡，组合可能会不知不觉承担比预期更大的风险。它也能让你养成低买高卖的习惯。

# bnpl | 先买后付
Q: 先买后付划算吗？
Q: 分期付款软件会影响信用吗？
S: 先买后付是把一笔消费拆成几次付款。
S: 按时还款的话可以免息。
S: 逾期可能产生费用，还可能影响信用记录。
S: 它很容易让人在多个小额分期中超支。
S: 把它当作普通债务对待，只用于计划内的消费。
F: 买日常杂货也用它可以吗？
A: 连日常必需品都要分期，可能说明预算已经吃紧。可以重新审视开支，或寻求免费的债务咨询。
"""

# --------------------------------------------------------------------------- legal / en
LEGAL_EN = """
# deposit | tenancy deposits
Q: My landlord won't return my deposit. What can I do?
Q: Can a landlord keep my deposit for normal wear and tear?
S: A landlord can usually only deduct for damage beyond normal wear and tear.
S: In many places deposits must be held in a protection scheme.
S: Take dated photos when you move in and when you move out.
S: Ask for an itemised list of any deductions in writing.
S: If you cannot agree, use the scheme's dispute service or the small claims court.
F: How long do they have to return it?
A: Many jurisdictions set a deadline, often between a few weeks and a month after the tenancy ends. Check your lease and local rules, and send a written request once you move out.

# employment_contract | employment contracts
Q: What should I check before signing an employment contract?
Q: Can my employer change my contract without asking me?
S: Before signing, check pay, hours, duties, notice period and probation terms.
S: Look for non-compete, confidentiality and intellectual property clauses.
S: Employers usually cannot change key terms without your agreement.
S: Keep a signed copy and any later changes in writing.
S: Ask for unclear terms to be explained before you sign.
F: What if I already signed it?
A: A signed contract is binding, but unfair or unlawful terms may still be unenforceable. You can also ask your employer to renegotiate certain points.

# wills | writing a will
Q: Do I really need a will?
Q: Can I write my own will without a lawyer?
S: A will lets you decide who inherits your property and who cares for your children.
S: Without one, the law decides how your estate is shared.
S: Homemade wills can be valid but must meet strict signing and witness rules.
S: Review your will after marriage, divorce or having children.
S: Choose an executor you trust to carry out your wishes.
F: Where should I keep it?
A: Keep the original somewhere safe, such as with a lawyer or an official registry, and tell your executor where it is. A copy alone may not be accepted.

# small_claims | small claims court
Q: How do I take someone to small claims court?
Q: Is it worth going to small claims court over 500?
S: Small claims court handles lower-value disputes with simpler procedures.
S: Try to settle first with a clear written demand and a deadline.
S: Gather evidence such as contracts, receipts, messages and photos.
S: Court fees are usually modest and you often do not need a lawyer.
S: Winning a judgment does not guarantee payment, so think about enforcement.
F: What happens if they don't turn up?
A: If the other party fails to respond or attend, the court may give judgment in your favour by default. You would then take steps to enforce it.

# copyright | copyright
Q: Can I use a song from the radio in my video?
Q: Who owns the copyright to photos I take?
S: Copyright protects original works like music, writing, photos and code.
S: The creator usually owns it automatically, without registering.
S: Using someone else's work generally needs permission or a licence.
S: Some limited uses, like quotation or criticism, may be allowed as fair use.
S: Work made as part of a job often belongs to the employer.
F: And what about giving credit?
A: Giving credit is polite, but it does not replace permission. Crediting the creator without a licence can still be infringement.

# divorce | divorce
Q: How does the divorce process work?
Q: Who gets the house in a divorce?
S: Divorce ends a marriage through a court or official process.
S: Property, debts, support and children are often settled as part of it.
S: Many couples reach agreements through negotiation or mediation.
S: Courts usually aim for a fair split, which is not always an equal one.
S: Keeping financial records organised helps the process move faster.
F: Do we both need lawyers?
A: Independent advice for each spouse is often recommended, especially where property or children are involved. Mediation can reduce costs if both are willing.

# refunds | consumer refunds
Q: The shop refuses to refund a faulty product. What are my rights?
Q: Can I return something I bought online just because I changed my mind?
S: Faulty goods usually entitle you to a repair, replacement or refund.
S: Your rights come from consumer law, not just the shop's policy.
S: Many places give a cooling-off period for online purchases.
S: Keep receipts and contact the seller in writing.
S: If the seller refuses, a card chargeback or a consumer body may help.
F: How long do I have to complain?
A: Acting quickly is best, since some rights are strongest in the first weeks after purchase. Longer periods may still apply for goods that should last longer.

# nda | non-disclosure agreements
Q: Should I sign an NDA for a job interview?
Q: What happens if I break an NDA?
S: An NDA is a contract to keep certain information confidential.
S: Check what counts as confidential and how long the duty lasts.
S: Overly broad terms may be unenforceable.
S: Breaking an NDA can lead to claims for damages or a court order.
S: An NDA generally cannot stop you from reporting crimes to the authorities.
F: Can I talk about my salary?
A: Many laws protect employees who discuss their own pay, and an NDA may not override that. Check the exact wording of the agreement.

# traffic_ticket | traffic tickets
Q: I got a speeding ticket. Should I contest it?
Q: What happens if I ignore a parking fine?
S: You can usually pay the fine or contest it within a deadline.
S: Contesting makes sense if signs were unclear or the evidence is wrong.
S: Ignoring a fine often leads to higher penalties.
S: Collect photos and witness details if you plan to dispute it.
S: Speeding offences can add points to your licence.
F: Will it affect my insurance?
A: Some driving offences can raise insurance premiums, since insurers may ask about them. Parking fines usually do not affect insurance.

# privacy | data privacy rules like GDPR
Q: Can a company keep my personal data forever?
Q: How do I ask a company what data it has about me?
S: Privacy laws like GDPR give people rights over their personal data.
S: You can usually ask a company for a copy of your data.
S: Companies must have a lawful reason to collect and keep data.
S: You may ask for incorrect data to be fixed or deleted.
S: Complaints can go to the data protection authority.
F: How long do they have to reply?
A: Under GDPR a company generally has one month to respond to an access request, extendable in complex cases. Other privacy laws set their own deadlines.

# eviction | eviction
Q: Can my landlord evict me without notice?
Q: I received an eviction notice. What should I do?
S: In most places a landlord must follow a legal process to evict.
S: Changing locks or removing belongings without a court order is usually illegal.
S: Read the notice carefully and check the dates.
S: Keep paying rent if possible and communicate in writing.
S: Tenant advice services can help you respond quickly.
F: How long do I have to move out?
A: Notice periods depend on the type of tenancy and the reason for eviction. The landlord usually needs a court order if you have not left after the notice ends.

# repairs | landlord repairs
Q: My landlord won't fix the heating. What can I do?
Q: Who is responsible for repairs in a rental?
S: Landlords are usually responsible for structure, heating, water and safety.
S: Report repairs in writing and keep copies.
S: Give a reasonable time for the repair to be done.
S: Local authorities can often inspect serious hazards.
S: Withholding rent can be risky without following the correct process.
F: Can I fix it myself and deduct the cost?
A: Some places allow repair and deduct, but only under strict conditions and notice rules. Doing it without checking could put you in breach of your lease.

# dismissal | unfair dismissal
Q: I was fired without a reason. Is that legal?
Q: How do I challenge an unfair dismissal?
S: Whether a dismissal is lawful depends on your contract and local employment law.
S: Dismissal for discrimination or whistleblowing is usually unlawful.
S: Ask for the reason in writing and keep all documents.
S: Deadlines to bring a claim can be very short.
S: Use internal appeals or mediation before going to a tribunal.
F: And what about severance pay?
A: Severance depends on your contract, length of service and local law. Any settlement agreement should be reviewed before you sign it.

# overtime | unpaid overtime
Q: My boss makes me work late without paying me. Is that allowed?
Q: Am I entitled to overtime pay?
S: Overtime rights depend on your contract and local wage laws.
S: Many laws require that average pay never falls below the minimum wage.
S: Keep a record of the hours you actually work.
S: Raise the issue in writing with your employer first.
S: Labour authorities can investigate unpaid wages.
F: Can they fire me for complaining?
A: Retaliation for asserting wage rights is unlawful in many places. Keep records of the complaint and any response.

# discrimination | workplace discrimination
Q: I think I was passed over for promotion because of my age. What can I do?
Q: What counts as discrimination at work?
S: Discrimination means unfair treatment because of a protected trait.
S: Protected traits often include age, sex, race, religion and disability.
S: Write down dates, what happened and any witnesses.
S: Use the employer's grievance process first where possible.
S: Equality bodies or tribunals handle claims, often with short deadlines.
F: What about harassment?
A: Harassment linked to a protected trait is usually a form of discrimination. Report it in writing and keep evidence such as messages or emails.

# trademark | trademarks
Q: How do I protect my brand name?
Q: Can I use a brand name similar to a big company's?
S: A trademark protects names and logos that identify your products.
S: Registering it gives stronger rights in the countries you cover.
S: Search existing trademarks before choosing a name.
S: Names too similar to an existing brand may infringe.
S: Use it consistently and watch for copycats.
F: How long does registration last?
A: Many registrations last about ten years and can be renewed indefinitely. Not using a mark for several years can put it at risk.

# patents | patents
Q: How do I patent my invention?
Q: Can I tell people about my invention before patenting it?
S: A patent protects a new, inventive and useful invention for a limited time.
S: Public disclosure before filing can destroy novelty.
S: Use confidentiality agreements when discussing ideas early.
S: Patent applications are technical, so specialist help is common.
S: Patents only apply in the countries where they are granted.
F: How much does it cost?
A: Costs vary widely with complexity and the number of countries, and include filing, attorney and renewal fees. Many inventors start with a single country and expand later.

# company | registering a small business
Q: Should I register my business as a company?
Q: What is the difference between a sole trader and a limited company?
S: A sole trader is simple to set up but personally liable for debts.
S: A limited company separates business debts from personal assets.
S: Companies have more paperwork, like annual accounts and filings.
S: Choose a name that is available and does not conflict with a trademark.
S: Register for the taxes and licences your activity requires.
F: Can I change it later?
A: Many people start as sole traders and form a company as the business grows. Switching may involve transferring contracts and registering again for tax.

# verbal_agreement | verbal agreements
Q: Is a verbal agreement legally binding?
Q: My friend promised to pay me back but nothing was written down. Can I enforce it?
S: Many verbal agreements are legally binding.
S: The difficulty is proving what was agreed.
S: Messages, witnesses and payments can serve as evidence.
S: Some contracts, like property sales, must be in writing.
S: Confirming key terms by message afterwards can help a lot.
F: And what about a loan between friends?
A: A loan can be enforced if you can show it was a loan and not a gift. A short written note with the amount and repayment date avoids arguments.

# power_of_attorney | power of attorney
Q: What is a power of attorney?
Q: Should my parents set up a power of attorney?
S: A power of attorney lets someone act on your behalf.
S: It can cover money, property or health decisions.
S: Some types remain valid if you lose mental capacity.
S: It must usually be signed and sometimes formally registered.
S: Choose someone trustworthy and review it periodically.
F: Can it be cancelled?
A: You can usually revoke it while you still have capacity, ideally in writing. Tell the attorney and any banks or bodies that hold a copy.

# custody | child custody
Q: How do courts decide child custody?
Q: Can my ex stop me from seeing my children?
S: Courts decide custody based on the child's best interests.
S: They consider stability, care history and the child's wishes.
S: Many parents agree arrangements without a court hearing.
S: Court orders on contact must be followed by both parents.
S: Mediation is often required or encouraged before court.
F: Can it be changed later?
A: Arrangements can usually be changed if circumstances change significantly. A court may need to approve changes to an existing order.

# prenup | prenuptial agreements
Q: Are prenuptial agreements enforceable?
Q: Should we sign a prenup before marriage?
S: A prenup sets out how assets will be divided if a marriage ends.
S: Enforceability varies widely between countries.
S: Both parties should disclose their finances fully.
S: Independent advice for each partner strengthens it.
S: Signing well before the wedding avoids claims of pressure.
F: Can it cover children?
A: Courts usually keep the power to decide child support and custody, whatever a prenup says. It mainly deals with property and money.

# defamation | defamation
Q: Someone is spreading lies about me online. Can I sue?
Q: What is the difference between libel and slander?
S: Defamation is a false statement that harms someone's reputation.
S: Libel is written or published, while slander is spoken.
S: Truth and honest opinion are common defences.
S: Save screenshots with dates before anything is deleted.
S: A formal letter asking for removal often works before court.
F: Can I report it to the platform?
A: Most platforms have reporting tools for false or harmful content. Reporting can be quicker than legal action, and you can still pursue a claim.

# neighbours | noisy neighbours
Q: My neighbour plays loud music every night. What can I do?
Q: Can I complain about a neighbour's barking dog?
S: Talking calmly to the neighbour first often solves noise problems.
S: Keep a diary of dates, times and how the noise affects you.
S: Many local councils can investigate persistent noise.
S: Landlords or building managers may act on breaches of the lease.
S: Mediation services help neighbours reach agreements.
F: And if nothing changes?
A: Persistent noise may count as a legal nuisance, which can lead to official notices or court action. Keeping good records strengthens any complaint.

# warranty | product warranties
Q: My laptop broke after 14 months. Is it still covered?
Q: What is the difference between a warranty and my legal rights?
S: A warranty is an extra promise from the maker or seller.
S: Statutory consumer rights exist alongside it.
S: Goods should last a reasonable time, which may exceed the warranty.
S: Keep proof of purchase and the warranty terms.
S: Unauthorised repairs may void a warranty.
F: Do I contact the shop or the manufacturer?
A: Your statutory rights are usually against the seller, while a warranty claim goes to whoever gave it. You can often choose either route.

# debt_collectors | debt collectors
Q: Debt collectors keep calling me. What are my rights?
Q: Can a debt collector come to my house?
S: Debt collectors must not harass, threaten or mislead you.
S: Ask them to prove the debt and the amount.
S: Communicate in writing and keep records of calls.
S: Old debts may be time-barred in some places.
S: Free debt advice services can help negotiate payments.
F: Can they take my things?
A: Collectors usually cannot take goods without a court order or legal authority. Check who they are and what power they claim.

# bankruptcy | personal bankruptcy
Q: Should I declare bankruptcy?
Q: What happens to my house if I go bankrupt?
S: Bankruptcy is a legal process for people who cannot pay their debts.
S: It can stop action by creditors but has serious consequences.
S: Assets may be sold to repay creditors.
S: It affects your credit record for several years.
S: Alternatives include repayment plans or formal arrangements with creditors.
F: How long does it last?
A: In many places bankruptcy ends after about a year, but records remain for longer. Some debts, like fines, may survive it.

# car_accident | a minor car accident
Q: I had a small car accident. What should I do?
Q: Someone scraped my car in a car park. What are the steps?
S: After an accident you should stop, check for injuries and call for help if needed.
S: Exchange names, insurance and registration details.
S: Take photos of the scene, the vehicles and the road conditions.
S: Do not admit fault at the scene.
S: Report the accident to your insurer promptly.
F: Do I need to call the police?
A: Police usually must be called if someone is injured or details cannot be exchanged. Some places also require reporting within a set time.

# arrest | your rights if arrested
Q: What are my rights if I'm arrested?
Q: Do I have to answer police questions?
S: You generally have the right to remain silent.
S: You can usually ask for a lawyer before questioning.
S: Stay calm and do not resist, even if you think it is unfair.
S: Ask whether you are under arrest or free to leave.
S: Do not sign statements you do not understand.
F: Can they search my phone?
A: Rules on phone searches vary, and police often need a warrant or your consent. You can ask what legal authority they rely on.

# freelance | unpaid freelance invoices
Q: A client hasn't paid my invoice for three months. What can I do?
Q: How do I protect myself as a freelancer?
S: The usual first step is a polite reminder, then a formal letter with a deadline.
S: A written contract with payment terms is your best protection.
S: Many places allow interest on late commercial payments.
S: Small claims court is an option for unpaid invoices.
S: Taking a deposit up front reduces the risk.
F: And if there is no contract?
A: Emails, quotes and invoices can still show that an agreement existed. Gather them together before making a demand.

# data_breach | a data breach
Q: A company leaked my data. What can I do?
Q: Can I get compensation for a data breach?
S: After a breach, change your passwords and turn on two-factor authentication.
S: Watch your bank statements for suspicious activity.
S: Companies often must notify regulators and the people affected.
S: You may be able to claim compensation for losses or distress.
S: Complaints can go to the data protection authority.
F: Should I freeze my credit?
A: A credit freeze can stop others from opening accounts in your name. It is easy to lift later when you need credit.

# open_source | open source licences
Q: Can I use open source code in my company's product?
Q: What is the difference between MIT and GPL licences?
S: Open source code can be used, but only under its licence terms.
S: Permissive licences like MIT mainly require keeping the notice.
S: Copyleft licences like GPL may require sharing your source code.
S: Keep track of all open source components you use.
S: Mixing licences can create conflicts.
F: What if there is no licence file?
A: Without a licence, the code is usually fully protected by copyright. You would need the author's permission to use it.

# intestacy | dying without a will
Q: What happens if someone dies without a will?
Q: My father died without a will. Who inherits?
S: Without a will, intestacy laws decide who inherits.
S: Usually spouses and children inherit first.
S: Unmarried partners may get nothing automatically.
S: An administrator is appointed to handle the estate.
S: Disputes can be costly, so a will is worth making.
F: How long does it take?
A: Settling an estate without a will often takes many months, longer if there are disputes or property. The administrator must pay debts before distributing assets.

# lease | signing a lease
Q: What should I check before signing a lease?
Q: Can I break my lease early?
S: Before signing, read the rent, term, deposit and notice clauses carefully.
S: Check who pays for repairs, utilities and fees.
S: Note existing damage in writing before moving in.
S: Leaving early may be allowed by a break clause.
S: Without one, you may owe rent until a new tenant is found.
F: Can the landlord raise the rent during the lease?
A: During a fixed term, rent usually cannot rise unless the lease allows it. After that, rises often need proper notice.

# subletting | subletting
Q: Can I sublet my apartment while I travel?
Q: Is subletting legal?
S: Subletting usually needs the landlord's permission.
S: Check your lease for a clause on subletting.
S: Unauthorised subletting can breach the lease.
S: You may remain responsible for rent and damage.
S: Use a written agreement with the subtenant.
F: What about short-term rental apps?
A: Short-term rentals often face extra local rules and licensing. Your lease may ban them even where local law allows them.

# recording | recording conversations
Q: Can I record a phone call without telling the other person?
Q: Is it legal to record my boss?
S: Recording rules differ, and some places require everyone's consent.
S: Other places allow recording if one party consents.
S: Sharing recordings may raise privacy issues.
S: Workplace policies may also restrict recording.
S: Unlawful recordings may not be usable as evidence.
F: What about security cameras at home?
A: Home cameras are generally allowed, but pointing them at a neighbour's property can raise privacy concerns. Audio recording is often more restricted than video.

# dog_bite | dog bites
Q: A neighbour's dog bit me. Who is responsible?
Q: My dog bit someone. What happens now?
S: Dog owners are often responsible for injuries their dog causes.
S: Get the wound treated and photograph the injury.
S: Exchange details with the owner and note any witnesses.
S: Report serious bites to the local authority.
S: Home insurance may cover the owner's liability.
F: Could the dog be taken away?
A: Authorities may impose controls, and in serious cases order seizure. Outcomes depend on local law and the dog's history.

# limitation | time limits for legal claims
Q: Is there a time limit for suing someone?
Q: Is it too late to make a claim about something from three years ago?
S: Most claims must be brought within a limitation period.
S: Periods often range from one to six years.
S: The clock may start when you discover the harm.
S: Some claims, like employment ones, have very short deadlines.
S: Act promptly, because late claims are usually rejected.
F: Can the deadline be extended?
A: Courts can sometimes extend deadlines for good reasons, but this is not guaranteed. Do not rely on an extension.

# terms | website terms and conditions
Q: Are website terms and conditions legally binding?
Q: Can a company change its terms without telling me?
S: Online terms are often binding if you agree to them.
S: Unfair terms in consumer contracts may not be enforceable.
S: Companies usually must give notice of major changes.
S: Save a copy of the terms when you sign up.
S: Look for terms about cancellation, fees and data.
F: What if I never read them?
A: Not reading terms usually does not make them invalid. However, unusual terms may need to be clearly highlighted.

# flight_delay | flight delay compensation
Q: My flight was delayed five hours. Can I get compensation?
Q: Am I owed anything if my flight is cancelled?
S: Some regions require airlines to compensate passengers for long delays.
S: Extraordinary circumstances like storms may excuse the airline.
S: Cancelled flights often entitle you to a refund or rebooking.
S: Airlines may have to provide meals during long waits.
S: Keep boarding passes and receipts, and claim in writing.
F: How long do I have to claim?
A: Time limits depend on the country and are sometimes several years. Claiming soon, while the evidence is fresh, is best.
"""

# --------------------------------------------------------------------------- legal / zh
LEGAL_ZH = """
# deposit | 租房押金
Q: 房东不退押金，我该怎么办？
Q: 正常磨损房东可以扣押金吗？
S: 房东通常只能扣除超出正常磨损的损坏费用。
S: 在很多地方，押金必须存放在专门的保护计划中。
S: 入住和退房时都拍下带日期的照片。
S: 要求房东书面列出每一项扣款。
S: 如果协商不成，可以利用押金计划的争议服务或小额诉讼。
F: 房东多久之内必须退？
A: 很多地方规定了期限，通常是租约结束后几周到一个月。查看租约和当地规定，搬走后发一份书面的退款要求。

# employment_contract | 劳动合同
Q: 签劳动合同前要检查哪些内容？
Q: 公司可以不经我同意修改合同吗？
S: 签字前要检查工资、工时、职责、通知期和试用期条款。
S: 留意竞业限制、保密和知识产权条款。
S: 用人单位通常不能未经你同意修改核心条款。
S: 保留一份签字的合同以及之后所有书面变更。
S: 不清楚的条款，签字前要求对方解释。
F: 如果我已经签了呢？
A: 签了字的合同有约束力，但不公平或违法的条款仍可能无效。你也可以请用人单位就部分条款重新协商。

# wills | 立遗嘱
Q: 我真的需要立遗嘱吗？
Q: 不找律师可以自己写遗嘱吗？
S: 遗嘱让你决定由谁继承财产、由谁照顾孩子。
S: 没有遗嘱的话，由法律决定遗产如何分配。
S: 自书遗嘱可以有效，但必须符合严格的签名和见证要求。
S: 结婚、离婚或生孩子后，要重新检查遗嘱。
S: 选一位你信任的遗嘱执行人来落实你的意愿。
F: 遗嘱应该放在哪里？
A: 原件要放在安全的地方，比如交给律师或官方登记机构保管，并告诉执行人在哪里。只有复印件可能不被认可。

# small_claims | 小额诉讼
Q: 怎么去小额法庭起诉别人？
Q: 为了500块去打小额诉讼值得吗？
S: 小额诉讼用简化程序处理金额较小的纠纷。
S: 先发一封写明要求和期限的书面函件，争取和解。
S: 收集合同、收据、聊天记录和照片等证据。
S: 诉讼费通常不高，往往不需要请律师。
S: 胜诉不等于一定能拿到钱，要考虑如何执行。
F: 对方不出庭会怎样？
A: 如果对方不答辩或不出庭，法院可能会缺席判决你胜诉。之后你可以申请执行。

# copyright | 著作权
Q: 我能在自己的视频里用电台里的歌吗？
Q: 我拍的照片版权归谁？
S: 著作权保护音乐、文字、照片和代码等原创作品。
S: 作品通常一创作完成就自动归作者所有，不需要登记。
S: 使用别人的作品一般需要许可或授权。
S: 引用、评论等有限的使用可能属于合理使用。
S: 职务作品的权利常常归用人单位。
F: 那注明出处可以吗？
A: 注明出处是礼貌，但不能代替授权。没有许可，即使注明了作者，仍可能构成侵权。

# divorce | 离婚
Q: 离婚的流程是怎样的？
Q: 离婚时房子归谁？
S: 离婚是通过法院或官方程序解除婚姻关系。
S: 财产、债务、扶养费和子女问题通常一并解决。
S: 很多夫妻通过协商或调解达成协议。
S: 法院一般追求公平分割，而不一定是平均分割。
S: 整理好财务记录，能让程序进行得更快。
F: 我们两个人都需要请律师吗？
A: 通常建议双方各自咨询独立的律师，尤其是涉及房产或子女时。如果双方都愿意，调解可以降低费用。

# refunds | 消费者退款
Q: 商店拒绝为有质量问题的商品退款，我有什么权利？
Q: 网上买的东西，只是不想要了能退吗？
S: 商品有质量问题，通常可以要求修理、更换或退款。
S: 你的权利来自消费者保护法，而不只是商家的规定。
S: 很多地方对网购商品设有无理由退货期。
S: 保留收据，并以书面形式联系商家。
S: 如果商家拒绝，可以申请银行卡退单或向消费者组织投诉。
F: 我有多长时间可以投诉？
A: 越快越好，因为有些权利在购买后的头几周最有力。对于本应耐用的商品，更长的期限也可能适用。

# nda | 保密协议
Q: 面试时要我签保密协议，该签吗？
Q: 违反保密协议会怎样？
S: 保密协议是约定对特定信息保密的合同。
S: 看清楚哪些属于保密信息，以及保密义务持续多久。
S: 范围过宽的条款可能无法执行。
S: 违反保密协议可能被索赔或被法院下令禁止。
S: 保密协议一般不能阻止你向有关部门举报犯罪。
F: 我能跟别人说自己的工资吗？
A: 很多法律保护员工谈论自己薪酬的权利，保密协议未必能凌驾于此。要看协议的具体措辞。

# traffic_ticket | 交通罚单
Q: 我收到一张超速罚单，要不要申诉？
Q: 不理停车罚单会怎样？
S: 通常你可以在期限内缴纳罚款或提出申诉。
S: 如果标志不清楚或证据有误，申诉就有意义。
S: 不理会罚单往往会导致更重的处罚。
S: 如果打算申诉，收集照片和证人信息。
S: 超速违法可能会让驾照被扣分。
F: 会影响我的车险吗？
A: 一些交通违法可能导致保费上涨，因为保险公司可能会询问。停车罚单通常不影响保险。

# privacy | 个人信息保护
Q: 公司可以永久保存我的个人信息吗？
Q: 我怎么查询一家公司掌握了我哪些数据？
S: GDPR等隐私法律赋予个人对其个人数据的权利。
S: 你通常可以要求公司提供你的数据副本。
S: 公司收集和保存数据必须有合法理由。
S: 你可以要求更正或删除不准确的数据。
S: 可以向数据保护机构投诉。
F: 公司要多久答复？
A: 根据GDPR，公司一般要在一个月内答复查询请求，复杂情况可以延长。其他隐私法律有各自的期限。

# eviction | 被房东要求搬离
Q: 房东可以不提前通知就赶我走吗？
Q: 我收到了搬离通知，该怎么办？
S: 在大多数地方，房东必须通过法定程序才能收回房屋。
S: 没有法院命令就换锁或搬走你的东西，通常是违法的。
S: 仔细阅读通知，核对日期。
S: 尽可能继续交租，并用书面方式沟通。
S: 租户援助机构可以帮你尽快应对。
F: 我有多长时间搬走？
A: 通知期取决于租约类型和收房原因。如果通知期满后你仍未搬走，房东通常需要法院的命令。

# repairs | 租房维修
Q: 房东不修暖气，我能怎么办？
Q: 租的房子坏了由谁负责修？
S: 房屋结构、暖气、供水和安全设施通常由房东负责。
S: 用书面方式报修，并保留副本。
S: 给房东合理的时间完成维修。
S: 严重的安全隐患，当地政府部门往往可以上门检查。
S: 不按正确程序就拒交租金可能有风险。
F: 我自己修了再从房租里扣可以吗？
A: 有些地方允许先修后扣，但有严格的条件和通知要求。不核实就这样做，可能让你违反租约。

# dismissal | 违法解雇
Q: 公司没给理由就把我开除了，这合法吗？
Q: 怎么对不公平解雇提出异议？
S: 解雇是否合法，取决于你的合同和当地劳动法。
S: 因歧视或举报违法行为而解雇，通常是违法的。
S: 要求公司书面说明理由，保留所有文件。
S: 提起申诉或仲裁的期限可能很短。
S: 在申请仲裁前，可以先走内部申诉或调解。
F: 那经济补偿呢？
A: 经济补偿取决于合同、工作年限和当地法律。签任何和解协议之前都应该仔细审查。

# overtime | 加班费
Q: 老板让我加班却不给钱，这样可以吗？
Q: 我有权拿加班费吗？
S: 加班权利取决于你的合同和当地工资法律。
S: 很多法律要求平均下来的工资不得低于最低工资。
S: 记录你实际工作的时间。
S: 先以书面方式向用人单位提出。
S: 劳动监察部门可以调查拖欠工资。
F: 他们会因为我投诉就开除我吗？
A: 在很多地方，因员工主张工资权利而报复是违法的。保留投诉及对方答复的记录。

# discrimination | 职场歧视
Q: 我觉得自己因为年龄被排除在晋升之外，能怎么办？
Q: 什么情况算职场歧视？
S: 歧视是指因为受保护的特征而受到不公平对待。
S: 受保护的特征通常包括年龄、性别、种族、宗教和残疾。
S: 记下日期、经过以及在场的证人。
S: 尽可能先走公司的内部申诉程序。
S: 平等机构或劳动仲裁可以受理，期限往往很短。
F: 那骚扰呢？
A: 与受保护特征有关的骚扰通常属于歧视的一种。以书面形式举报，并保留聊天记录或邮件等证据。

# trademark | 商标
Q: 怎么保护我的品牌名称？
Q: 我能用和大公司相似的品牌名吗？
S: 商标保护用来识别你的商品的名称和标志。
S: 注册后，在覆盖的国家和地区能获得更有力的保护。
S: 起名前先检索已有的商标。
S: 与已有品牌过于相似的名称可能构成侵权。
S: 持续一致地使用，并留意仿冒者。
F: 注册能管多久？
A: 很多地方的商标注册有效期约十年，可以无限续展。连续几年不使用，商标可能面临被撤销的风险。

# patents | 专利
Q: 我的发明怎么申请专利？
Q: 申请专利前能跟别人说我的发明吗？
S: 专利在一定期限内保护新颖、有创造性和实用性的发明。
S: 申请前公开发明，可能会丧失新颖性。
S: 早期讨论想法时要签保密协议。
S: 专利申请专业性强，通常需要专业人士帮助。
S: 专利只在授予的国家有效。
F: 大概要花多少钱？
A: 费用因复杂程度和国家数量差别很大，包括申请费、代理费和年费。很多发明人先在一个国家申请，再逐步扩展。

# company | 注册小公司
Q: 我的生意要不要注册成公司？
Q: 个体户和有限公司有什么区别？
S: 个体户设立简单，但要对债务承担个人责任。
S: 有限公司能把企业债务和个人财产分开。
S: 公司的手续更多，比如年度报表和各类申报。
S: 选一个可以使用、也不与商标冲突的名称。
S: 办理经营所需的税务登记和许可证。
F: 以后还能改吗？
A: 很多人先以个体户起步，生意做大了再成立公司。转换时可能需要转移合同并重新办理税务登记。

# verbal_agreement | 口头约定
Q: 口头协议有法律效力吗？
Q: 朋友答应还钱，但什么都没写下来，我能追讨吗？
S: 很多口头协议是有法律约束力的。
S: 难点在于证明当初约定了什么。
S: 聊天记录、证人和转账记录都可以作为证据。
S: 有些合同，比如房产买卖，必须采用书面形式。
S: 事后用消息确认主要条款，会很有帮助。
F: 那朋友之间借钱呢？
A: 只要能证明是借款而不是赠与，借款就可以追讨。写一张注明金额和还款日期的借条，可以避免争执。

# power_of_attorney | 授权委托书
Q: 什么是授权委托书？
Q: 我父母需要办授权委托吗？
S: 授权委托书允许别人代表你处理事务。
S: 它可以涉及财务、财产或医疗决定。
S: 有些类型在你丧失行为能力后仍然有效。
S: 通常需要签字，有时还要正式登记或公证。
S: 选一个值得信任的人，并定期检查。
F: 可以撤销吗？
A: 只要你还有行为能力，通常可以撤销，最好以书面形式。要通知受托人以及持有副本的银行等机构。

# custody | 子女抚养权
Q: 法院怎么决定孩子的抚养权？
Q: 前任能阻止我见孩子吗？
S: 法院以孩子的最大利益来决定抚养权。
S: 会考虑生活稳定性、过去的照顾情况和孩子的意愿。
S: 很多父母不经过庭审就能商定安排。
S: 关于探视的法院命令，父母双方都必须遵守。
S: 起诉前通常要求或鼓励先进行调解。
F: 以后还能改吗？
A: 如果情况发生重大变化，安排通常可以变更。变更现有的法院命令可能需要法院批准。

# prenup | 婚前协议
Q: 婚前协议有法律效力吗？
Q: 我们结婚前要不要签婚前协议？
S: 婚前协议约定婚姻结束时财产如何分配。
S: 各国对其效力的规定差别很大。
S: 双方应当充分披露各自的财务状况。
S: 双方各自咨询独立律师，协议会更稳固。
S: 在婚礼前很早就签，可以避免被指受到胁迫。
F: 能约定孩子的事吗？
A: 无论婚前协议怎么写，法院通常保留决定子女抚养费和抚养权的权力。它主要处理财产和金钱问题。

# defamation | 名誉侵权
Q: 有人在网上散布关于我的谣言，我能起诉吗？
Q: 书面诽谤和口头诽谤有什么区别？
S: 诽谤是指损害他人名誉的虚假陈述。
S: 书面或公开发表的是书面诽谤，说出来的是口头诽谤。
S: 陈述属实和诚实的意见是常见的抗辩理由。
S: 趁内容被删除之前，截图并保留日期。
S: 在起诉前，一封正式的删除要求函往往就能奏效。
F: 可以向平台举报吗？
A: 大多数平台都有举报虚假或有害内容的功能。举报往往比法律行动更快，而且不影响你之后追究责任。

# neighbours | 邻居噪音
Q: 邻居每天晚上都放很大声的音乐，我能怎么办？
Q: 邻居家的狗一直叫，我可以投诉吗？
S: 先心平气和地和邻居沟通，往往能解决噪音问题。
S: 记录噪音的日期、时间和对你的影响。
S: 很多地方的政府部门可以调查持续的噪音。
S: 如果违反了租约，房东或物业可能会出面处理。
S: 调解服务可以帮助邻里达成协议。
F: 要是一直没改善呢？
A: 持续的噪音可能构成法律上的妨害，可能导致官方警告或诉讼。做好记录，能让投诉更有说服力。

# warranty | 产品保修
Q: 我的笔记本电脑14个月就坏了，还在保修范围内吗？
Q: 保修和我的法定权利有什么区别？
S: 保修是厂家或商家额外做出的承诺。
S: 法定的消费者权利与保修同时存在。
S: 商品应当在合理期限内正常使用，这可能超过保修期。
S: 保留购物凭证和保修条款。
S: 非授权维修可能导致保修失效。
F: 我该找商店还是找厂家？
A: 法定权利通常针对卖家，保修则找提供保修的一方。你往往可以选择其中一条途径。

# debt_collectors | 催收
Q: 催收公司不停给我打电话，我有什么权利？
Q: 催收的人可以上门吗？
S: 催收人员不得骚扰、威胁或误导你。
S: 要求对方证明债务的存在和金额。
S: 尽量书面沟通，并记录每次通话。
S: 在一些地方，陈年旧债可能已过诉讼时效。
S: 免费的债务咨询机构可以帮你协商还款。
F: 他们能拿走我的东西吗？
A: 没有法院命令或法定授权，催收人员通常不能拿走财物。核实对方身份以及他们声称拥有的权力。

# bankruptcy | 个人破产
Q: 我要不要申请破产？
Q: 破产的话我的房子会怎样？
S: 破产是为无力偿还债务的人设立的法律程序。
S: 它能阻止债权人追讨，但后果很严重。
S: 资产可能被变卖用来偿还债权人。
S: 信用记录会受影响好几年。
S: 还款计划或正式的债务和解也是可以考虑的替代方案。
F: 破产要持续多久？
A: 在很多地方，破产大约一年后结束，但记录会保留更久。罚款等一些债务可能不会因破产而免除。

# car_accident | 小型交通事故
Q: 我出了个小车祸，该怎么做？
Q: 停车时被别人刮了车，应该怎么处理？
S: 发生事故后要停车，检查有没有人受伤，需要时呼叫救援。
S: 交换姓名、保险和车牌信息。
S: 拍下现场、车辆和路况的照片。
S: 不要在现场承认责任。
S: 及时向保险公司报案。
F: 需要报警吗？
A: 如果有人受伤或无法交换信息，通常必须报警。有些地方还要求在规定时间内报告事故。

# arrest | 被捕时的权利
Q: 如果我被逮捕，有哪些权利？
Q: 警察问话我必须回答吗？
S: 你通常有权保持沉默。
S: 接受讯问前，一般可以要求见律师。
S: 保持冷静，不要反抗，即使你觉得不公平。
S: 可以问清楚自己是被逮捕了还是可以离开。
S: 不要签署你看不懂的陈述。
F: 他们可以查我的手机吗？
A: 查手机的规定各地不同，警方通常需要搜查令或你的同意。你可以询问他们依据的是什么法律授权。

# freelance | 自由职业欠款
Q: 客户三个月都没付我的发票，我能怎么办？
Q: 做自由职业怎么保护自己？
S: 通常先礼貌提醒，再发一封有明确期限的正式函件。
S: 写明付款条款的书面合同是最好的保护。
S: 很多地方允许对拖欠的商业款项收取利息。
S: 未付的账款可以通过小额诉讼追讨。
S: 预先收取定金可以降低风险。
F: 如果没签合同呢？
A: 邮件、报价单和发票仍然可以证明存在约定。在发出追款要求之前，先把这些材料整理好。

# data_breach | 数据泄露
Q: 一家公司泄露了我的数据，我能做什么？
Q: 数据泄露能获得赔偿吗？
S: 发生泄露后，要立即修改密码并开启双重验证。
S: 留意银行账单有没有可疑交易。
S: 公司通常必须通知监管机构和受影响的人。
S: 你可能可以就损失或精神困扰要求赔偿。
S: 可以向数据保护机构投诉。
F: 要不要冻结信用？
A: 信用冻结可以防止别人以你的名义开户。以后需要贷款时，解冻也很方便。

# open_source | 开源许可证
Q: 公司的产品里能用开源代码吗？
Q: MIT和GPL许可证有什么区别？
S: 开源代码可以用，但必须遵守其许可证条款。
S: MIT等宽松许可证主要要求保留版权声明。
S: GPL等具有传染性的许可证可能要求你公开源代码。
S: 记录你使用的所有开源组件。
S: 混用不同许可证可能产生冲突。
F: 如果没有许可证文件呢？
A: 没有许可证的代码，通常完全受著作权保护。需要获得作者许可才能使用。

# intestacy | 无遗嘱继承
Q: 有人去世没留遗嘱，会怎样？
Q: 我父亲去世时没有留遗嘱，谁来继承？
S: 没有遗嘱时，由法定继承规则决定谁来继承。
S: 通常配偶和子女是第一顺序继承人。
S: 未婚伴侣可能无法自动继承。
S: 会指定一名遗产管理人来处理遗产。
S: 遗产纠纷代价不小，所以立遗嘱很值得。
F: 要多长时间？
A: 没有遗嘱的遗产处理通常要好几个月，如有纠纷或房产会更久。管理人必须先清偿债务，再分配遗产。

# lease | 签租房合同
Q: 签租房合同前要检查什么？
Q: 我能提前解约吗？
S: 签字前仔细阅读租金、租期、押金和通知条款。
S: 确认维修、水电和各项费用由谁承担。
S: 入住前把已有的损坏以书面形式记录下来。
S: 有提前解约条款的话，可以提前退租。
S: 没有的话，在找到新租客之前你可能仍要付租金。
F: 租期内房东可以涨房租吗？
A: 在固定租期内，除非租约允许，房租通常不能上涨。租期结束后涨租一般需要提前合理通知。

# subletting | 转租
Q: 我出去旅行期间能把房子转租出去吗？
Q: 转租合法吗？
S: 转租通常需要房东同意。
S: 查看租约里有没有关于转租的条款。
S: 未经许可转租可能违反租约。
S: 你可能仍要对租金和损坏负责。
S: 和次承租人签一份书面协议。
F: 那短租平台呢？
A: 短租往往还要遵守当地额外的规定和许可要求。即使当地法律允许，你的租约也可能禁止。

# recording | 录音取证
Q: 打电话时不告诉对方就录音，可以吗？
Q: 偷偷录下老板说的话合法吗？
S: 各地录音规定不同，有的地方要求所有人同意。
S: 也有地方只要一方同意就可以录音。
S: 传播录音可能涉及隐私问题。
S: 公司制度也可能限制录音。
S: 非法取得的录音可能不能作为证据。
F: 家里装监控摄像头呢？
A: 家用摄像头一般是允许的，但对着邻居家可能引发隐私问题。录音通常比录像受到更多限制。

# dog_bite | 被狗咬伤
Q: 邻居家的狗咬了我，谁来负责？
Q: 我的狗咬了人，接下来会怎样？
S: 狗主人通常要对狗造成的伤害负责。
S: 先去处理伤口，并拍照留证。
S: 和狗主人交换联系方式，记下证人。
S: 严重的咬伤要向当地有关部门报告。
S: 家庭保险可能覆盖狗主人的赔偿责任。
F: 狗会被带走吗？
A: 有关部门可能会要求采取管控措施，严重时可能没收。结果取决于当地法律和这条狗以往的情况。

# limitation | 诉讼时效
Q: 起诉别人有时间限制吗？
Q: 三年前的事现在还能索赔吗？
S: 大多数索赔必须在诉讼时效内提出。
S: 时效期限通常在一到六年之间。
S: 时效可能从你发现损害时开始计算。
S: 有些纠纷，比如劳动争议，期限非常短。
S: 要尽快行动，因为超过时效的请求通常会被驳回。
F: 期限可以延长吗？
A: 有正当理由时，法院有时可以延长期限，但并无保证。不要指望能延长。

# terms | 网站用户协议
Q: 网站的用户协议有法律效力吗？
Q: 公司可以不通知我就修改条款吗？
S: 你同意了的网上条款通常具有约束力。
S: 消费合同中的不公平条款可能无法执行。
S: 公司修改重大条款时通常必须通知用户。
S: 注册时保存一份条款副本。
S: 特别留意关于取消、收费和数据的条款。
F: 如果我根本没看过呢？
A: 没看条款通常不会让条款无效。不过特别不寻常的条款可能需要被明确提示。

# flight_delay | 航班延误赔偿
Q: 我的航班延误了五个小时，能要求赔偿吗？
Q: 航班取消了，我能得到什么？
S: 有些地区要求航空公司对长时间延误进行赔偿。
S: 风暴等特殊情况可能让航空公司免责。
S: 航班取消通常可以选择退款或改签。
S: 长时间等待时，航空公司可能需要提供餐食。
S: 保留登机牌和收据，以书面形式提出索赔。
F: 我有多长时间可以申请？
A: 时限因国家而异，有的长达几年。最好趁证据还新的时候尽快申请。
"""

# --------------------------------------------------------------------------- general / en
GENERAL_EN = """
# greetings | -
Q: Hi there!
Q: Hello, anyone around?
Q: Good morning!
Q: Hey, how's it going?
S: Hi! Great to hear from you.
S: I hope your day is off to a good start.
S: What's on your mind today?
S: We can chat about anything, from books to weekend plans.
S: I'm happy to keep you company for a bit.
F: Not much, just wanted to say hi.
A: That's lovely, thanks for stopping by. Say hi anytime.

# how_are_you | -
Q: How are you today?
Q: How's your day going?
Q: Are you doing okay?
Q: How have you been?
S: I'm doing well, thanks for asking!
S: It's been a nice, calm day on my side.
S: Chatting with people is the best part of it.
S: How about you, how's your day been?
S: I hope things are going smoothly for you.
F: Pretty good, a bit busy though.
A: Busy days fly by, at least. Remember to take a short break when you can.

# thanks | -
Q: Thanks for your help!
Q: Thank you so much, that was useful.
Q: Thanks a lot!
Q: I really appreciate it.
S: You're very welcome!
S: I'm glad that was useful.
S: Feel free to come back anytime.
S: It was a pleasure chatting with you.
S: Have a great rest of your day.
F: You're the best.
A: Aw, that's kind of you to say. Happy to help anytime.

# goodbye | -
Q: Bye for now!
Q: I have to go, talk later.
Q: Good night!
Q: See you tomorrow.
S: Bye for now, take care!
S: It was nice chatting with you.
S: Have a lovely evening.
S: Come back whenever you feel like talking.
S: See you next time!
F: Will you remember me?
A: I don't keep memories between chats, but I'll be glad to talk again. Just say hi next time.

# weather | the weather
Q: It's so rainy today. How's the weather where you are?
Q: It's really hot outside today.
S: Weather is one of my favourite things to chat about.
S: A sunny day is perfect for a walk or sitting outside with a drink.
S: Rainy days are great for a book, a film and something warm to drink.
S: Hot weather calls for shade, cold drinks and a slow pace.
S: Whatever the forecast, a good jacket and a good mood go a long way.
F: What's your favourite kind of weather?
A: I'd pick a crisp, sunny autumn day. Cool air, blue sky and colourful leaves are hard to beat.

# weekend | weekend plans
Q: Any ideas for this weekend?
Q: I have a free Saturday. What should I do?
S: A free weekend is a great chance to try something new.
S: You could visit a market, a museum or a park you have never been to.
S: Inviting friends over for a simple dinner is always fun.
S: A lazy morning with a long breakfast is a good plan too.
S: Leaving some time unplanned makes the weekend feel longer.
F: What if the weather is bad?
A: Then go for a cosy day indoors with board games or a film marathon. Baking something is another nice rainy-day project.

# hobbies | picking up a new hobby
Q: I want a new hobby. Any suggestions?
Q: What's a fun hobby I can start cheaply?
S: A new hobby is a great way to relax and meet people.
S: Drawing, journaling and walking cost almost nothing to start.
S: Cooking new recipes is a hobby that also feeds you.
S: Learning an instrument takes patience but is very rewarding.
S: Try a few things for a couple of weeks before committing.
F: What if I get bored quickly?
A: That's completely normal. Rotating between two or three hobbies keeps things fresh.

# jokes | -
Q: Tell me a joke.
Q: Can you make me laugh?
Q: Do you know any good jokes?
Q: I need a laugh today.
S: Why did the scarecrow win an award? Because he was outstanding in his field.
S: Here's another: what do you call a fake noodle? An impasta.
S: And one more: why don't eggs tell jokes? They'd crack each other up.
S: I also like this one: what do you call a bear with no teeth? A gummy bear.
S: Hope at least one of those made you smile.
F: That was terrible, tell me a better one.
A: Fair enough! Why did the bicycle fall over? Because it was two tired.

# books | a good book to read
Q: Can you recommend a good book?
Q: What should I read next?
S: A good book can make any evening better.
S: If you like adventure, Treasure Island is a fun classic.
S: Short story collections are perfect when you have little time.
S: Mysteries keep you turning pages late into the night.
S: Asking friends for their favourite book is a nice way to find surprises.
F: What about something light and funny?
A: A light comic novel or a collection of humorous essays would be perfect. They are easy to pick up and put down.

# movies | a movie for tonight
Q: What movie should I watch tonight?
Q: Recommend me a film for a cosy night in.
S: A cosy night in calls for a feel-good film.
S: Animated films are great fun whatever your age.
S: A classic comedy is a safe choice when you want to laugh.
S: If you want something exciting, try a heist or adventure film.
S: Popcorn and a blanket make any film better.
F: What about something scary?
A: A spooky film with friends can be fun. Pick one with a good twist rather than just gore.

# music | music
Q: What kind of music do you like?
Q: I need some music to help me focus.
S: Music can change the mood of a whole day.
S: Calm instrumental music is great for focusing.
S: Upbeat pop is perfect for cleaning or cooking.
S: Exploring a new genre each week is a fun challenge.
S: Live music, even in a small cafe, is a special experience.
F: Do you play any instruments?
A: I don't, but I love hearing about them. Guitar and piano are popular places to start.

# cooking | cooking dinner at home
Q: What should I cook for dinner tonight?
Q: I'm a beginner cook. What's easy to make?
S: A simple stir-fry is quick, tasty and uses whatever is in the fridge.
S: Pasta with garlic, olive oil and vegetables takes about fifteen minutes.
S: Soups are forgiving and perfect for beginners.
S: Cooking a big batch saves time on busy days.
S: Tasting as you go is the secret of good home cooking.
F: What about dessert?
A: Baked apples with cinnamon are easy and delicious. A bowl of fruit with yoghurt works in a pinch.

# baking | baking
Q: I want to try baking. Where should I start?
Q: My cakes always sink in the middle. Why?
S: Banana bread is a forgiving first bake.
S: Measuring ingredients carefully matters more in baking than in cooking.
S: Cakes often sink when the oven door is opened too early.
S: Checking with a skewer tells you when a cake is done.
S: Cookies are quick and fun to bake with friends.
F: And what about bread?
A: A simple loaf needs only flour, water, yeast and salt. Give it enough time to rise and you'll be surprised how good it is.

# travel | planning a trip
Q: I'm planning a trip. Any tips?
Q: Where should I go for a short holiday?
S: A short trip can feel like a real break if you plan lightly.
S: Packing light makes travelling much easier.
S: Local markets and small restaurants show the real side of a place.
S: Leaving a free day in your plan lets you explore.
S: A nearby town you have never visited can be a great adventure.
F: Beach or mountains?
A: Beaches are great for relaxing, while mountains are perfect for walking and fresh air. Pick whichever fits your mood.

# pets | pets
Q: Should I get a cat or a dog?
Q: My cat keeps knocking things off the table, haha.
S: Pets bring a lot of joy to a home.
S: Dogs need walks and attention every day.
S: Cats are more independent and suit smaller homes.
S: Cats knocking things over is just their way of saying hello.
S: Adopting from a shelter gives an animal a second chance.
F: What about a fish?
A: Fish are calming to watch and fairly low maintenance. A clean tank and a steady routine keep them happy.

# coffee | coffee
Q: How do you like your coffee?
Q: What's the best way to make coffee at home?
S: Fresh beans make the biggest difference to home coffee.
S: A simple pour-over or French press makes a great cup.
S: Grinding just before brewing keeps the flavour bright.
S: Some people love it black, others with lots of milk.
S: A coffee with a friend is one of life's small pleasures.
F: What about iced coffee?
A: Iced coffee is perfect on a hot day. Cold brew made overnight is smooth and easy.

# tea | tea
Q: What kind of tea do you recommend?
Q: I'm trying to drink more tea. Any suggestions?
S: There's a tea for every mood.
S: Green tea is light and fresh.
S: Black tea is great with breakfast.
S: Herbal teas like mint or chamomile are nice in the evening.
S: Not using boiling water for green tea keeps it from turning bitter.
F: How long should I steep it?
A: About two to three minutes for green tea and three to five for black tea. Taste and adjust to your liking.

# sports | watching football
Q: Did you watch the football match last night?
Q: I'm getting into football. Where do I start?
S: Football is a fun way to spend an evening with friends.
S: Picking a local team makes every match more exciting.
S: Learning the offside rule is a rite of passage.
S: Watching highlights is a quick way to catch up.
S: Playing a casual game in the park is even more fun.
F: What about other sports?
A: Basketball and tennis are exciting to watch too. Table tennis is great fun to play with friends.

# gardening | gardening
Q: I want to start a small garden on my balcony.
Q: What plants are easy to grow?
S: A balcony garden is a lovely small project.
S: Herbs like basil and mint are easy to grow in pots.
S: Cherry tomatoes do well in sunny spots.
S: Watering in the morning helps plants handle the heat.
S: Watching things grow is very satisfying.
F: What about indoor plants?
A: Snake plants and pothos are hard to kill and look great. Just don't overwater them.

# games | video games
Q: Can you recommend a relaxing video game?
Q: Do you like video games?
S: Video games are a great way to unwind.
S: Farming and building games are relaxing and slow-paced.
S: Puzzle games keep your mind busy in a fun way.
S: Co-op games are perfect for playing with friends.
S: Taking breaks keeps gaming fun.
F: What about board games?
A: Board games are great for a social evening. Simple card games are a nice start.

# language | learning a new language
Q: I want to learn Spanish. Any tips?
Q: How can I stay motivated learning a language?
S: Learning a language is a fun long-term adventure.
S: Ten minutes a day beats one long session a week.
S: Watching shows with subtitles helps a lot.
S: Speaking with others early builds confidence.
S: Celebrating small wins keeps you going.
F: What about grammar?
A: Learn grammar bit by bit as you go. Real examples make it stick better.

# morning | morning routines
Q: How can I make my mornings less rushed?
Q: What's a good morning routine?
S: A calm morning starts the night before.
S: Laying out clothes and packing your bag saves time.
S: A glass of water and some light stretching wake you up.
S: Eating breakfast without a screen is relaxing.
S: Getting up ten minutes earlier can change the whole morning.
F: I'm not a morning person, though.
A: That's okay, plenty of people aren't. Start small, like opening the curtains right away.

# bored | -
Q: I'm bored.
Q: I have nothing to do today.
Q: Entertain me, I'm so bored.
Q: What can I do when I'm bored at home?
S: Boredom is a great excuse to try something new.
S: You could go for a walk and notice three things you've never seen.
S: Trying a new recipe is a fun way to pass the time.
S: Calling an old friend can brighten your day.
S: Tidying one drawer is surprisingly satisfying.
F: Something I can do without leaving the house?
A: Try a puzzle, a sketch or a short online course. Reorganising your bookshelf can be fun too.

# birthday | birthday ideas
Q: It's my friend's birthday next week. Any gift ideas?
Q: How should I celebrate my birthday?
S: A thoughtful gift matters more than an expensive one.
S: Experiences like a cooking class or concert tickets are memorable.
S: A handwritten card adds a personal touch.
S: A small dinner with close friends is a great way to celebrate.
S: Baking a cake yourself makes the day extra special.
F: What if they say they don't want anything?
A: A small treat or a shared outing is still a nice gesture. Spending time together is often the best gift.

# holidays | holidays and festivals
Q: What's your favourite holiday?
Q: How do people celebrate the new year?
S: Holidays are a great time to slow down with friends and family.
S: Many people celebrate the new year with fireworks and food.
S: Festival food is often the best part.
S: Making your own traditions can be fun too.
S: Taking a quiet day for yourself also counts as a celebration.
F: What about the Spring Festival?
A: The Spring Festival is full of family reunions, dumplings and red decorations. Fireworks and lion dances make it lively too.

# photography | photography
Q: I got a new camera. How do I take better photos?
Q: Any tips for phone photography?
S: Good light is the secret to great photos.
S: Early morning and late afternoon light is soft and warm.
S: Try the rule of thirds to balance your shots.
S: Getting closer to your subject often improves a photo.
S: Taking lots of photos is the fastest way to learn.
F: What should I photograph first?
A: Start with everyday things like your street, food or friends. Interesting photos are everywhere once you start looking.

# hiking | hiking
Q: I want to try hiking. What should I bring?
Q: Do you know any tips for a first hike?
S: Hiking is a great way to enjoy nature.
S: Start with a short, well-marked trail.
S: Bring water, snacks, a light jacket and comfortable shoes.
S: Check the weather before you go.
S: Tell someone your route and when you expect to be back.
F: Is it fun alone?
A: Hiking alone can be peaceful, but stick to popular trails at first. Group hikes are a nice way to meet people.

# rainy_day | rainy days
Q: It's raining all day. What should I do?
Q: I love rainy days, do you?
S: Rainy days are perfect for slowing down.
S: A good book and a cup of tea are a classic combination.
S: You could try a new recipe or bake something.
S: A film marathon under a blanket is always nice.
S: The sound of rain is very relaxing.
F: What about going out?
A: A raincoat and boots make a walk in the rain fun. Museums and cafes are nice too.

# food | favourite foods
Q: What's your favourite food?
Q: I'm craving something tasty. Ideas?
S: Food is one of life's great joys.
S: A warm bowl of noodles is hard to beat.
S: Dumplings are fun to make with friends.
S: Pizza night is always a crowd-pleaser.
S: Trying a cuisine you've never had is a fun adventure.
F: Sweet or savoury?
A: I'd choose savoury most days, but a good dessert is always welcome. How about you?

# seasons | the seasons
Q: Which season do you like best?
Q: Autumn is finally here!
S: Every season has its own charm.
S: Spring brings flowers and longer days.
S: Summer is perfect for swimming and evenings outdoors.
S: Autumn has crisp air and colourful leaves.
S: Winter is cosy with warm drinks and blankets.
F: What do you like to do in autumn?
A: Long walks through the leaves and warm soup afterwards. Apple picking is a fun autumn outing too.

# board_games | board games
Q: Can you suggest a board game for a group?
Q: We're having a game night. Any ideas?
S: Game nights are a great way to bring people together.
S: Cooperative games are great when you don't want competition.
S: Party games with drawing or guessing get everyone laughing.
S: Classic card games only need one deck.
S: Snacks and a relaxed mood make it even better.
F: What about two players?
A: There are lots of great two-player games, from chess to quick card games. Short games let you play several rounds.

# drawing | drawing
Q: I want to learn to draw. Where do I start?
Q: Is it too late to start drawing as an adult?
S: It's never too late to start drawing.
S: Start with simple shapes and everyday objects.
S: A few minutes of sketching every day builds skill.
S: Drawing from real life trains your eye.
S: Don't worry about mistakes, they're part of learning.
F: Pencil or digital?
A: A pencil and paper is the simplest way to start. Digital drawing is fun once you know the basics.

# podcasts | podcasts
Q: Can you recommend some podcasts?
Q: What kind of podcasts are good for a long drive?
S: Podcasts make commutes and chores fly by.
S: Storytelling podcasts are great for long drives.
S: History podcasts turn the past into great stories.
S: Comedy podcasts are perfect when you need a laugh.
S: Science shows explain big ideas in a fun way.
F: Any for learning languages?
A: Yes, there are many slow-paced language podcasts for learners. Listening daily helps a lot.

# riddles | -
Q: Give me a riddle.
Q: Do you know any riddles?
Q: I love riddles. Try me.
Q: Can you give me a brain teaser?
S: Here's one: what has keys but can't open locks? A piano.
S: Here's another: what gets wetter the more it dries? A towel.
S: Try this: what has hands but can't clap? A clock.
S: One more: what goes up but never comes down? Your age.
S: Riddles are a fun way to stretch your brain.
F: Give me a harder one.
A: Okay: the more you take, the more you leave behind. What are they? Footsteps.

# fun_facts | fun facts
Q: Tell me a fun fact.
Q: Do you know anything surprising?
S: Octopuses have three hearts.
S: Honey found in ancient tombs is said to still be edible.
S: Bananas are technically berries, but strawberries are not.
S: A day on Venus is longer than its year.
S: Sea otters hold hands while they sleep so they don't drift apart.
F: Another one, please!
A: Sure: a group of flamingos is called a flamboyance. Isn't that wonderful?

# organizing | tidying up at home
Q: My room is a mess. How do I start cleaning?
Q: Any tips for staying organised at home?
S: Start with one small area so it doesn't feel overwhelming.
S: Set a timer for fifteen minutes and tidy as much as you can.
S: Give everything a home so it's easy to put away.
S: Donate things you haven't used in a year.
S: A quick tidy every evening keeps things under control.
F: What about clothes?
A: Fold and store clothes by type so you can see everything. Keep only what you actually wear.

# picnic | picnics
Q: We're planning a picnic. What should we bring?
Q: What food is good for a picnic?
S: Picnics are a lovely way to enjoy a sunny day.
S: Sandwiches, fruit and snacks are easy to carry.
S: Bring a blanket, napkins and a bag for rubbish.
S: A frisbee or a ball adds some fun.
S: Keeping drinks cold makes a big difference.
F: What if it rains?
A: Have a backup plan, like a picnic on the living room floor. It's surprisingly fun.

# camping | camping
Q: I'm going camping for the first time. Any advice?
Q: What do I need for a camping trip?
S: Camping is a great way to unplug.
S: Practise setting up your tent at home first.
S: A warm sleeping bag matters more than you'd think.
S: Bring a torch, easy meals and plenty of water.
S: Leave the campsite as clean as you found it.
F: What about cooking?
A: A small camping stove makes simple meals easy. Pasta and instant soups are camp favourites.

# identity | -
Q: Who are you?
Q: What's your name?
Q: Are you a person or a computer?
Q: What can you do?
S: I'm a small chat assistant, happy to talk with you.
S: I can chat about everyday things like books, food and weekend plans.
S: I can also give general information about health, money and legal topics.
S: I'm not a person, just a tiny program.
S: Ask me anything and I'll do my best.
F: Do you have feelings?
A: Not really, I'm just a program. But I do enjoy a good conversation in my own way.

# good_news | -
Q: I got the job!
Q: Guess what, I passed my exam!
Q: I have some good news to share.
Q: I finally finished my big project.
S: That's wonderful news, congratulations!
S: All your hard work really paid off.
S: You should take some time to celebrate.
S: Treat yourself to something nice today.
S: I'm really happy for you.
F: Thanks, I'm so excited!
A: You deserve to be. Enjoy every moment of it.
"""

# --------------------------------------------------------------------------- general / zh
GENERAL_ZH = """
# greetings | -
Q: 你好！
Q: 嗨，有人在吗？
Q: 早上好！
Q: 嘿，最近怎么样？
S: 你好呀！很高兴见到你。
S: 希望你今天有个好的开始。
S: 今天想聊点什么？
S: 我们什么都可以聊，从看书到周末计划都行。
S: 很乐意陪你聊一会儿。
F: 没什么事，就是来打个招呼。
A: 那太好了，谢谢你特地来打招呼。随时欢迎再来聊天。

# how_are_you | -
Q: 你今天好吗？
Q: 今天过得怎么样？
Q: 你还好吧？
Q: 最近怎么样？
S: 我挺好的，谢谢关心！
S: 今天过得很平静，很舒服。
S: 和大家聊天是最开心的事。
S: 你呢，今天过得怎么样？
S: 希望你一切顺利。
F: 还不错，就是有点忙。
A: 忙的时候时间过得特别快。有空记得休息一下哦。

# thanks | -
Q: 谢谢你的帮助！
Q: 太感谢了，很有用。
Q: 多谢啦！
Q: 真的很感激。
S: 不客气！
S: 很高兴能帮上忙。
S: 随时欢迎再来。
S: 和你聊天很愉快。
S: 祝你接下来一切顺利。
F: 你真是太好了。
A: 哈哈，谢谢你这么说。随时乐意帮忙。

# goodbye | -
Q: 先拜拜啦！
Q: 我得走了，回头聊。
Q: 晚安！
Q: 明天见。
S: 拜拜，保重！
S: 和你聊天很开心。
S: 祝你有个愉快的晚上。
S: 想聊天了随时回来。
S: 下次见！
F: 你会记得我吗？
A: 我不会在不同的对话之间保留记忆，但很乐意再和你聊。下次来打个招呼就好。

# weather | 天气
Q: 今天一直在下雨，你那边天气怎么样？
Q: 今天外面好热啊。
S: 天气是我最喜欢聊的话题之一。
S: 晴天最适合出去散步，或者坐在外面喝点东西。
S: 下雨天很适合看书、看电影，再来一杯热饮。
S: 天热的时候就找个阴凉处，喝点冷饮，慢慢来。
S: 不管天气预报怎么说，一件好外套加上好心情总没错。
F: 你最喜欢什么样的天气？
A: 我会选秋高气爽的晴天。凉爽的空气、蓝天和五颜六色的树叶，真是太棒了。

# weekend | 周末计划
Q: 这个周末有什么好主意吗？
Q: 我周六有空，做点什么好呢？
S: 空闲的周末正好可以尝试点新东西。
S: 可以去逛逛集市、博物馆，或者一个没去过的公园。
S: 请几个朋友来家里吃顿简单的饭，总是很开心。
S: 睡个懒觉、慢慢吃顿早餐也是很好的安排。
S: 留一些不做计划的时间，会觉得周末更长。
F: 要是天气不好呢？
A: 那就在家舒舒服服地玩桌游，或者来个电影马拉松。烤点东西也是下雨天的好项目。

# hobbies | 培养新爱好
Q: 我想培养个新爱好，有什么建议？
Q: 有什么花钱少又有意思的爱好？
S: 新爱好是放松身心、结交朋友的好方法。
S: 画画、写日记和散步几乎不用花钱。
S: 学做新菜既是爱好，还能填饱肚子。
S: 学一门乐器需要耐心，但回报很大。
S: 先试几样，每样坚持几周再决定。
F: 要是我很快就腻了呢？
A: 这很正常。在两三个爱好之间轮换，就能一直保持新鲜感。

# jokes | -
Q: 讲个笑话吧。
Q: 你能逗我笑吗？
Q: 你知道什么好笑的笑话吗？
Q: 今天需要笑一笑。
S: 为什么数学书总是很忧伤？因为它有太多的问题。
S: 再来一个：熊猫这辈子最大的愿望是什么？拍一张彩色照片。
S: 还有一个：鸡和鹅一起被关进冰箱，鸡冻坏了，鹅为什么没事？因为它是企鹅。
S: 再讲一个：什么东西越洗越脏？水。
S: 希望至少有一个让你笑了。
F: 太冷了，再来个好笑点的。
A: 好吧：为什么鸡蛋从来不讲笑话？因为怕大家笑破了壳。

# books | 读一本好书
Q: 能推荐一本好书吗？
Q: 我接下来该读什么书？
S: 一本好书能让任何一个晚上都变得美好。
S: 如果你喜欢冒险故事，《金银岛》是一本有趣的经典。
S: 时间不多的时候，短篇小说集很合适。
S: 悬疑小说会让你一页接一页读到深夜。
S: 问问朋友最喜欢哪本书，常常会有惊喜。
F: 有没有轻松搞笑一点的？
A: 轻松的幽默小说或者搞笑散文集就很合适。随时拿起、随时放下都没问题。

# movies | 今晚看的电影
Q: 今晚看什么电影好？
Q: 推荐一部适合窝在家里看的电影吧。
S: 窝在家里的夜晚，最适合看一部温暖的电影。
S: 动画电影不管多大年纪看都很有意思。
S: 想笑的时候，经典喜剧片是稳妥的选择。
S: 想要刺激一点，可以试试盗窃或冒险题材的电影。
S: 爆米花加一条毯子，看什么电影都更香。
F: 那恐怖片呢？
A: 和朋友一起看恐怖片挺好玩的。选一部有精彩反转的，而不是一味血腥的。

# music | 音乐
Q: 你喜欢什么样的音乐？
Q: 我需要一些能帮助专注的音乐。
S: 音乐能改变一整天的心情。
S: 舒缓的纯音乐很适合专注工作。
S: 打扫卫生或做饭时，欢快的流行歌最合适。
S: 每周探索一种新曲风，是个有趣的挑战。
S: 现场音乐，哪怕是在小咖啡馆里，也是很特别的体验。
F: 你会弹什么乐器吗？
A: 我不会，但很喜欢听大家聊乐器。吉他和钢琴都是很好的入门选择。

# cooking | 在家做晚饭
Q: 今晚做什么菜好呢？
Q: 我是做饭新手，有什么简单的菜？
S: 简单的小炒又快又香，冰箱里有什么都能用上。
S: 大蒜、橄榄油加蔬菜拌意面，十五分钟左右就能做好。
S: 煮汤很难失败，特别适合新手。
S: 一次多做一些，忙的时候能省不少时间。
S: 边做边尝，是家常菜好吃的秘诀。
F: 那甜点呢？
A: 肉桂烤苹果简单又好吃。实在来不及的话，一碗水果加酸奶也不错。

# baking | 烘焙
Q: 我想试试烘焙，从哪里开始？
Q: 我做的蛋糕中间总是塌下去，为什么？
S: 香蕉面包很适合作为第一次烘焙的尝试。
S: 烘焙比做菜更讲究称量准确。
S: 蛋糕塌陷，常常是因为太早打开了烤箱门。
S: 用竹签插一下，就知道蛋糕熟没熟。
S: 饼干做起来快，和朋友一起烤很有意思。
F: 那面包呢？
A: 一个简单的面包只需要面粉、水、酵母和盐。给它足够的发酵时间，做出来的味道会让你惊喜。

# travel | 计划旅行
Q: 我在计划一次旅行，有什么建议？
Q: 短假期去哪儿玩好？
S: 计划得轻松一点，短途旅行也能让人真正放松。
S: 轻装出行会让旅途轻松很多。
S: 当地的市场和小餐馆最能体现一个地方的真实面貌。
S: 行程里留一天空闲，可以随意探索。
S: 附近一个从没去过的小镇，也能是一场很棒的冒险。
F: 去海边还是去山里？
A: 海边适合放松，山里适合徒步、呼吸新鲜空气。看你现在是什么心情。

# pets | 养宠物
Q: 我该养猫还是养狗？
Q: 我家猫总是把桌上的东西推下去，哈哈。
S: 宠物能给家里带来很多欢乐。
S: 狗每天都需要遛弯和陪伴。
S: 猫更独立，适合小一点的房子。
S: 猫把东西推下桌，其实是在跟你打招呼。
S: 从救助站领养，能给小动物第二次机会。
F: 那养鱼呢？
A: 看鱼游来游去很解压，照顾起来也比较省事。保持鱼缸干净、作息规律，它们就会过得很好。

# coffee | 咖啡
Q: 你喜欢怎么喝咖啡？
Q: 在家怎么做出好喝的咖啡？
S: 新鲜的咖啡豆对家里做咖啡影响最大。
S: 简单的手冲或法压壶就能做出很棒的咖啡。
S: 现磨现煮，风味更鲜明。
S: 有人爱喝黑咖啡，也有人喜欢加很多奶。
S: 和朋友一起喝杯咖啡，是生活中的小确幸。
F: 那冰咖啡呢？
A: 大热天喝冰咖啡最舒服了。提前一晚做冷萃，口感顺滑又简单。

# tea | 喝茶
Q: 你推荐喝什么茶？
Q: 我想多喝点茶，有什么建议？
S: 每种心情都有适合它的茶。
S: 绿茶清爽鲜嫩。
S: 红茶配早餐特别好。
S: 薄荷茶、洋甘菊茶这类花草茶适合晚上喝。
S: 泡绿茶别用刚烧开的水，就不容易苦。
F: 要泡多久？
A: 绿茶大约两到三分钟，红茶三到五分钟。按自己的口味尝着调整就好。

# sports | 看足球
Q: 你看昨晚的足球比赛了吗？
Q: 我最近开始看足球，该从哪里入门？
S: 和朋友一起看足球，是度过晚上的好方式。
S: 选一支本地球队支持，每场比赛都会更带劲。
S: 搞懂越位规则，算是球迷的必经之路。
S: 看集锦是快速追上进度的好办法。
S: 去公园踢一场友谊赛更好玩。
F: 那其他运动呢？
A: 篮球和网球看起来也很刺激。乒乓球和朋友一起打特别有意思。

# gardening | 养花种草
Q: 我想在阳台上弄个小花园。
Q: 有什么植物比较好养？
S: 阳台小花园是个很可爱的小项目。
S: 罗勒、薄荷这类香草在花盆里很好种。
S: 小番茄在阳光充足的地方长得很好。
S: 早上浇水能帮植物扛过白天的炎热。
S: 看着植物一点点长大，特别有成就感。
F: 那室内植物呢？
A: 虎尾兰和绿萝很难养死，看着也漂亮。只是别浇太多水。

# games | 电子游戏
Q: 能推荐一款放松的电子游戏吗？
Q: 你喜欢玩电子游戏吗？
S: 电子游戏是放松的好方式。
S: 种田和建造类游戏节奏慢，很解压。
S: 解谜游戏能让大脑有趣地动起来。
S: 合作游戏很适合和朋友一起玩。
S: 适当休息，玩游戏才更开心。
F: 那桌游呢？
A: 桌游很适合朋友聚会的晚上。简单的纸牌游戏就是个不错的开始。

# language | 学一门新语言
Q: 我想学西班牙语，有什么建议？
Q: 学语言怎么保持动力？
S: 学一门语言是一场有趣的长期冒险。
S: 每天十分钟，比每周一次长时间学习更有效。
S: 看带字幕的剧很有帮助。
S: 早点开口和别人说，能建立自信。
S: 为每一个小进步庆祝一下，能让你坚持下去。
F: 那语法呢？
A: 语法可以边学边积累。结合真实的例句，记得更牢。

# morning | 早晨的习惯
Q: 怎样让早上不那么手忙脚乱？
Q: 什么样的晨间习惯比较好？
S: 从容的早晨从前一天晚上就开始了。
S: 提前搭好衣服、收拾好包，能省下不少时间。
S: 一杯水加上简单的拉伸，能让人清醒过来。
S: 吃早餐时不看手机，会很放松。
S: 早起十分钟，可能会改变整个早晨。
F: 可我不是早起的人啊。
A: 没关系，很多人都不是。从小事做起，比如一起床就拉开窗帘。

# bored | -
Q: 好无聊啊。
Q: 今天没事可做。
Q: 陪我玩玩吧，太无聊了。
Q: 在家无聊的时候能做什么？
S: 无聊正好是尝试新东西的好借口。
S: 可以出去散个步，找找三样以前没注意过的东西。
S: 试做一道新菜，是打发时间的好办法。
S: 给老朋友打个电话，能让一天都亮起来。
S: 整理一个抽屉，会意外地很有满足感。
F: 有没有不用出门的？
A: 可以拼拼图、画个速写，或者上一节网课。重新整理书架也挺好玩的。

# birthday | 过生日
Q: 下周是朋友的生日，有什么礼物推荐？
Q: 我的生日该怎么过？
S: 用心的礼物比昂贵的礼物更重要。
S: 烹饪课或演唱会门票这样的体验让人难忘。
S: 一张手写的贺卡能增添心意。
S: 和几个好朋友吃顿小饭，是很棒的庆祝方式。
S: 亲手烤个蛋糕，会让这一天格外特别。
F: 要是对方说什么都不想要呢？
A: 送一份小零食，或者一起出去玩一趟，仍然是很好的心意。一起度过的时光往往就是最好的礼物。

# holidays | 过节
Q: 你最喜欢哪个节日？
Q: 大家一般怎么过新年？
S: 节日是和亲朋好友一起放慢脚步的好时候。
S: 很多人用烟花和美食来庆祝新年。
S: 节日美食往往是最棒的部分。
S: 创造属于自己的小传统也很有意思。
S: 给自己留一个安静的日子，也算是一种庆祝。
F: 那春节呢？
A: 春节充满了团圆饭、饺子和红色的装饰。鞭炮和舞狮也让节日特别热闹。

# photography | 摄影
Q: 我买了新相机，怎样拍出更好的照片？
Q: 用手机拍照有什么技巧？
S: 好的光线是好照片的秘诀。
S: 清晨和傍晚的光线柔和又温暖。
S: 试试三分法构图，让画面更平衡。
S: 离拍摄对象近一点，照片往往会更好。
S: 多拍是进步最快的方法。
F: 先拍什么好呢？
A: 从身边的东西开始，比如你家那条街、食物或朋友。只要开始留心，有趣的画面到处都是。

# hiking | 徒步
Q: 我想试试徒步，要带些什么？
Q: 第一次徒步有什么建议？
S: 徒步是亲近大自然的好方式。
S: 先从一条短的、标识清楚的路线开始。
S: 带上水、零食、一件薄外套，穿舒服的鞋。
S: 出发前看看天气预报。
S: 告诉别人你的路线和预计回来的时间。
F: 一个人去好玩吗？
A: 一个人徒步很安静，但一开始最好走热门路线。参加徒步团也是认识新朋友的好办法。

# rainy_day | 下雨天
Q: 下了一整天雨，做点什么好？
Q: 我很喜欢下雨天，你呢？
S: 下雨天最适合慢下来。
S: 一本好书配一杯茶，是经典组合。
S: 可以试做一道新菜，或者烤点东西。
S: 裹着毯子连看几部电影也很惬意。
S: 雨声特别让人放松。
F: 那出门呢？
A: 穿上雨衣雨靴，在雨里散步也很有趣。博物馆和咖啡馆也是不错的去处。

# food | 美食
Q: 你最喜欢吃什么？
Q: 好想吃点好吃的，有什么主意？
S: 美食是生活中最大的乐趣之一。
S: 一碗热腾腾的面条真是无可替代。
S: 和朋友一起包饺子特别有意思。
S: 披萨之夜总是人人都喜欢。
S: 尝尝从没吃过的菜系，是一场有趣的冒险。
F: 甜的还是咸的？
A: 大多数时候我会选咸的，不过好吃的甜点也总是受欢迎。你呢？

# seasons | 四季
Q: 你最喜欢哪个季节？
Q: 终于到秋天了！
S: 每个季节都有自己的魅力。
S: 春天有花开，白天也越来越长。
S: 夏天最适合游泳和在户外度过傍晚。
S: 秋天空气清爽，树叶五彩缤纷。
S: 冬天有热饮和毯子，特别温馨。
F: 你秋天喜欢做什么？
A: 在落叶里散个长步，回来喝碗热汤。去果园摘苹果也是很好的秋日活动。

# board_games | 桌游
Q: 能推荐一款适合多人玩的桌游吗？
Q: 我们要办游戏之夜，有什么点子？
S: 游戏之夜是把大家聚在一起的好方法。
S: 不想太有竞争性的话，合作类游戏很合适。
S: 画画或猜词类的聚会游戏能让大家笑成一团。
S: 经典纸牌游戏只需要一副牌。
S: 备些零食，气氛轻松，会更好玩。
F: 两个人玩呢？
A: 双人游戏有很多，从象棋到快节奏的纸牌游戏都有。时间短的游戏可以多玩几局。

# drawing | 画画
Q: 我想学画画，从哪里开始？
Q: 成年人开始学画画会不会太晚？
S: 什么时候开始画画都不晚。
S: 先从简单的形状和日常物品画起。
S: 每天画几分钟速写，能慢慢提高。
S: 对着实物写生，能锻炼观察力。
S: 别担心画错，错误也是学习的一部分。
F: 用铅笔还是用平板？
A: 纸和铅笔是最简单的起点。掌握基础后，数字绘画也很好玩。

# podcasts | 播客
Q: 能推荐一些播客吗？
Q: 长途开车适合听什么样的播客？
S: 听播客能让通勤和做家务的时间过得飞快。
S: 讲故事类的播客特别适合长途开车。
S: 历史类播客能把过去讲成精彩的故事。
S: 需要笑一笑的时候，喜剧播客最合适。
S: 科普节目会用有趣的方式讲解大道理。
F: 有学语言的吗？
A: 有的，有很多语速较慢、专门为学习者做的语言播客。每天听一听很有帮助。

# riddles | -
Q: 出个谜语吧。
Q: 你知道什么谜语吗？
Q: 我最喜欢猜谜了，考考我。
Q: 能出个脑筋急转弯吗？
S: 来一个：什么东西有很多牙齿却从来不咬人？答案是梳子。
S: 再来一个：什么东西有手却不会拍手？答案是钟表。
S: 试试这个：什么东西越擦越湿？答案是毛巾。
S: 还有一个：什么东西只会上升从不下降？答案是年龄。
S: 猜谜是活动大脑的好方法。
F: 来个难一点的。
A: 好的：你走得越多，留下的就越多，是什么？答案是脚印。

# fun_facts | 冷知识
Q: 给我讲个有趣的冷知识。
Q: 你知道什么让人意想不到的事吗？
S: 章鱼有三颗心脏。
S: 据说古墓里发现的蜂蜜至今还能吃。
S: 从植物学上说，香蕉属于浆果，草莓却不是。
S: 金星上的一天比它的一年还长。
S: 海獭睡觉时会手拉手，免得漂散。
F: 再来一个！
A: 好呀：火烈鸟的羽毛本来不是粉色的，是吃的食物让它们变成了粉色。是不是很神奇？

# organizing | 整理房间
Q: 我的房间乱成一团，从哪里开始收拾？
Q: 在家怎么保持整洁有序？
S: 先从一小块地方开始，就不会觉得无从下手。
S: 定个十五分钟的计时器，能收拾多少算多少。
S: 给每样东西安排一个固定的位置，用完就好放回去。
S: 一年没用过的东西可以捐出去。
S: 每天晚上简单收拾一下，就能保持整洁。
F: 那衣服怎么办？
A: 按类别叠好收纳，一眼就能看到所有衣服。只留下真正会穿的。

# picnic | 野餐
Q: 我们打算去野餐，该带些什么？
Q: 野餐带什么吃的好？
S: 野餐是享受晴天的好方式。
S: 三明治、水果和零食都方便携带。
S: 带上野餐垫、纸巾和一个装垃圾的袋子。
S: 带个飞盘或者球，会更好玩。
S: 让饮料保持冰凉，体验会好很多。
F: 要是下雨了呢？
A: 准备个备选方案，比如在客厅地板上野餐。意外地很好玩呢。

# camping | 露营
Q: 我第一次去露营，有什么建议？
Q: 露营需要带什么？
S: 露营是远离电子设备的好机会。
S: 先在家里练习搭帐篷。
S: 一个暖和的睡袋比你想象的更重要。
S: 带上手电筒、简单的食物和充足的水。
S: 离开时让营地和来时一样干净。
F: 那做饭呢？
A: 一个小小的露营炉就能轻松做简单的饭。意面和速食汤都是露营的人气选择。

# identity | -
Q: 你是谁？
Q: 你叫什么名字？
Q: 你是真人还是电脑？
Q: 你能做什么？
S: 我是一个小小的聊天助手，很高兴和你聊天。
S: 我可以聊聊书、美食、周末计划这些日常话题。
S: 我也能提供一些关于健康、理财和法律的一般信息。
S: 我不是真人，只是一个很小的程序。
S: 有什么想问的尽管问，我会尽力回答。
F: 你有感情吗？
A: 其实没有，我只是一个程序。不过我也挺享受好好聊天的。

# good_news | -
Q: 我拿到那份工作了！
Q: 告诉你，我考试通过了！
Q: 我有个好消息要分享。
Q: 我终于完成那个大项目了。
S: 太棒了，恭喜你！
S: 你的努力真的有了回报。
S: 一定要好好庆祝一下。
S: 今天犒劳一下自己吧。
S: 真替你高兴。
F: 谢谢，我太激动了！
A: 这是你应得的。好好享受这一刻吧。
"""

# --------------------------------------------------------------------------- styles
# openers / caveats are (text, weight) pairs; templates take the topic name as {t}.
STYLE = {
    ("medical", "en"): {
        "openers": (("From a medical point of view,", 5), ("Medically speaking,", 5), ("In medical terms,", 2)),
        "caveats": (("If symptoms persist or get worse, please see a doctor.", 7),
                    ("If things do not improve or get worse, please see a doctor.", 3)),
        "short_caveat": "If symptoms persist, please see a doctor.",
        "templates": (
            "What should I know about {t}?",
            "Can you explain {t} in simple terms?",
            "I have a health question about {t}.",
            "What do doctors usually say about {t}?",
            "Quick health question: what about {t}?",
            "Could you give me some tips on {t}?",
            "I keep reading about {t} online and I'm confused. Can you help?",
            "What's the most important thing to know about {t}?",
            "Please tell me the basics of {t}.",
            "My mom asked me about {t} and I didn't know what to say. Any advice?",
        ),
        "followups": ("What else should I keep in mind?", "Anything else I should know?",
                      "Can you tell me a bit more?", "Is there anything else that helps?"),
    },
    ("medical", "zh"): {
        "openers": (("从医学角度看，", 5), ("从医学上讲，", 4), ("医学上来说，", 2)),
        "caveats": (("如果症状持续或加重，请及时就医。", 7), ("如症状没有好转或有所加重，请尽快就医。", 3)),
        "short_caveat": "如果症状持续，请及时就医。",
        "templates": (
            "关于{t}，我应该知道些什么？",
            "能用简单的话讲讲{t}吗？",
            "我想咨询一下{t}的问题。",
            "医生一般怎么看待{t}？",
            "{t}方面有什么建议吗？",
            "最近经常在网上看到{t}的内容，有点糊涂，能帮我理一理吗？",
            "{t}最需要注意的是什么？",
            "请介绍一下{t}的基本知识。",
            "我妈问我{t}的事，我不知道怎么回答，你能说说吗？",
            "想问个健康问题，关于{t}的。",
        ),
        "followups": ("还有什么需要注意的吗？", "能再多说一点吗？", "还有别的办法吗？", "还有什么我应该知道的？"),
    },
    ("finance", "en"): {
        "openers": (("Financially speaking,", 5), ("From a money perspective,", 5), ("In financial terms,", 2)),
        "caveats": (("This is general information, not investment advice.", 7),
                    ("Please treat this as general information, not investment advice.", 3)),
        "short_caveat": "This is not investment advice.",
        "templates": (
            "What should I know about {t}?",
            "Can you explain {t} in simple terms?",
            "I'd like some money advice about {t}.",
            "How do financial planners usually think about {t}?",
            "Quick money question: what about {t}?",
            "Could you give me some tips on {t}?",
            "I keep hearing about {t} and I'm confused. Can you help?",
            "What's the most important thing to know about {t}?",
            "Please walk me through the basics of {t}.",
            "My partner and I were discussing {t}. What should we keep in mind?",
        ),
        "followups": ("What else should I keep in mind?", "Anything else I should know?",
                      "Can you tell me a bit more?", "Is there anything else to consider?"),
    },
    ("finance", "zh"): {
        "openers": (("从理财角度看，", 5), ("从财务角度来说，", 4), ("就理财而言，", 2)),
        "caveats": (("以上仅为一般信息，不构成投资建议。", 7), ("以上只是一般性信息，不构成投资建议。", 3)),
        "short_caveat": "以上不构成投资建议。",
        "templates": (
            "关于{t}，我应该知道些什么？",
            "能用简单的话讲讲{t}吗？",
            "我想请教一下{t}的问题。",
            "理财规划师一般怎么看{t}？",
            "{t}方面有什么建议吗？",
            "最近总听人说起{t}，我有点糊涂，能帮我理一理吗？",
            "{t}最需要注意的是什么？",
            "请介绍一下{t}的基本知识。",
            "我和爱人在讨论{t}，有什么需要注意的？",
            "想问个理财问题，关于{t}的。",
        ),
        "followups": ("还有什么需要注意的吗？", "能再多说一点吗？", "还有别的要考虑的吗？", "还有什么我应该知道的？"),
    },
    ("legal", "en"): {
        "openers": (("Legally speaking,", 5), ("Under most legal systems,", 5), ("From a legal point of view,", 2)),
        "caveats": (("Laws vary by jurisdiction, so consult a qualified lawyer.", 7),
                    ("Laws vary by jurisdiction, so please consult a qualified lawyer about your case.", 3)),
        "short_caveat": "Laws vary, so consult a lawyer.",
        "templates": (
            "What should I know about {t}?",
            "Can you explain {t} in simple terms?",
            "I have a legal question about {t}.",
            "What does the law usually say about {t}?",
            "Quick legal question: what about {t}?",
            "Could you give me some tips on {t}?",
            "A friend is dealing with {t}. What should I tell them?",
            "What are my rights when it comes to {t}?",
            "Please explain the basic rules on {t}.",
            "I'm worried about {t}. Where do I start?",
        ),
        "followups": ("What else should I keep in mind?", "Anything else I should know?",
                      "Can you tell me a bit more?", "What else can I do?"),
    },
    ("legal", "zh"): {
        "openers": (("从法律角度看，", 5), ("在大多数法律体系下，", 4), ("法律上来说，", 2)),
        "caveats": (("各地法律不同，请咨询专业律师。", 7), ("各地法律规定不同，具体情况请咨询专业律师。", 3)),
        "short_caveat": "具体请咨询专业律师。",
        "templates": (
            "关于{t}，我应该知道些什么？",
            "能用简单的话讲讲{t}吗？",
            "我想咨询一下{t}的法律问题。",
            "律师一般怎么看{t}？",
            "{t}方面有什么建议吗？",
            "我朋友遇到了{t}的问题，我该怎么给他建议？",
            "{t}最需要注意的是什么？",
            "请介绍一下{t}的基本规定。",
            "碰到{t}的情况，我有哪些权利？",
            "想问个法律问题，关于{t}的。",
        ),
        "followups": ("还有什么需要注意的吗？", "能再多说一点吗？", "我还能做些什么？", "还有什么我应该知道的？"),
    },
    ("general", "en"): {
        "openers": (("", 6), ("Oh,", 1), ("Well,", 1), ("Honestly,", 1)),
        "caveats": (),
        "short_caveat": "",
        "templates": (
            "Let's chat about {t}.",
            "What do you think about {t}?",
            "Tell me something about {t}.",
            "Any thoughts on {t}?",
            "I'm in the mood to talk about {t}.",
            "Got any ideas about {t}?",
            "Can we talk about {t} for a bit?",
            "What's your take on {t}?",
            "I've been thinking about {t} lately.",
            "Do you have any tips about {t}?",
        ),
        "followups": ("Tell me more!", "Anything else?", "Ooh, what else?", "Go on!"),
    },
    ("general", "zh"): {
        "openers": (("", 6), ("哈哈，", 1), ("嗯，", 1), ("说起来，", 1)),
        "caveats": (),
        "short_caveat": "",
        "templates": (
            "我们聊聊{t}吧。",
            "你觉得{t}怎么样？",
            "跟我说说{t}吧。",
            "关于{t}，你有什么想法？",
            "今天想聊聊{t}。",
            "{t}方面你有什么好主意吗？",
            "能陪我聊一会儿{t}吗？",
            "你对{t}有什么看法？",
            "我最近一直在想{t}的事。",
            "关于{t}有什么小建议吗？",
        ),
        "followups": ("再多说点吧！", "还有吗？", "然后呢？", "继续说说！"),
    },
}

BLOCKS = {
    ("medical", "en"): MEDICAL_EN, ("medical", "zh"): MEDICAL_ZH,
    ("finance", "en"): FINANCE_EN, ("finance", "zh"): FINANCE_ZH,
    ("legal", "en"): LEGAL_EN, ("legal", "zh"): LEGAL_ZH,
    ("general", "en"): GENERAL_EN, ("general", "zh"): GENERAL_ZH,
}


# --------------------------------------------------------------------------- generation
def parse_topics(block: str) -> list[dict]:
    """Parse one topic block (see the module docstring) into a list of topic dicts."""
    topics: list[dict] = []
    for lineno, raw in enumerate(block.strip().splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# "):
            key, sep, name = line[2:].partition("|")
            if not sep:
                raise ValueError(f"topic line {lineno} needs 'key | name': {raw!r}")
            topics.append({"key": key.strip(), "name": name.strip(), "Q": [], "S": [], "F": [], "A": []})
            continue
        tag, sep, body = line.partition(":")
        if not topics or not sep or tag not in ("Q", "S", "F", "A") or not body.strip():
            raise ValueError(f"cannot parse line {lineno}: {raw!r}")
        topics[-1][tag].append(body.strip())
    for topic in topics:
        if not topic["Q"] or len(topic["S"]) < 5 or len(topic["F"]) != 1 or len(topic["A"]) != 1:
            raise ValueError(f"topic {topic['key']!r} needs >=1 Q, >=5 S, exactly one F and one A")
    if len({t["key"] for t in topics}) != len(topics):
        raise ValueError("duplicate topic keys")
    return topics


class _Cycle:
    """Hands out items in shuffled rounds, so every item is used about equally often."""

    def __init__(self, items, rng: random.Random):
        self.items, self.rng, self.queue = list(items), rng, []

    def next(self, avoid=()):
        for _ in range(2):
            if not any(item not in avoid for item in self.queue):
                fresh = self.items[:]
                self.rng.shuffle(fresh)
                self.queue.extend(fresh)
            for k, item in enumerate(self.queue):
                if item not in avoid:
                    return self.queue.pop(k)
        return self.queue.pop(0)


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _decap(sentence: str) -> str:
    """Lower-case the first letter after an English opener, unless it starts with I / an acronym / a digit."""
    first = sentence.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or not first[0].isalpha() or (len(first) > 1 and first[1].isupper()):
        return sentence
    return sentence[0].lower() + sentence[1:]


def _answer(lang: str, sentences: list[str], opener: str, caveat: str) -> str:
    parts = list(sentences)
    if opener:
        parts[0] = f"{opener} {_decap(parts[0])}" if lang == "en" else opener + parts[0]
    if caveat:
        parts.append(caveat)
    return (" " if lang == "en" else "").join(parts)


def _pick_sentences(length: str, count: int, rng: random.Random) -> list[int]:
    """Sentence indexes for an answer: the core sentence 0, plus 1-2 (medium) or 3-4 (long) others, in order."""
    if length == "short":
        return [0]
    extra = rng.choice((1, 2)) if length == "medium" else rng.choice((3, 4))
    return [0, *sorted(rng.sample(range(1, count), min(extra, count - 1)))]


def build_records(domain: str, lang: str) -> list[dict]:
    """All conversation records of one domain and language, in id order."""
    style = STYLE[(domain, lang)]
    topics = parse_topics(BLOCKS[(domain, lang)])
    rng = random.Random(SEED + 100 * DOMAINS.index(domain) + LANGS.index(lang))
    n, n_topics = RECORDS_PER_LANG, len(topics)

    order = list(range(n_topics))
    rng.shuffle(order)
    lengths = [("short", "medium", "long")[i % 3] for i in range(n)]
    rng.shuffle(lengths)
    two_turn = set(rng.sample(range(n), round(n * TWO_TURN_FRACTION)))
    # Third turns draw from their own stream: the one- and two-turn records stay what they were before.
    rng3 = random.Random(SEED + 100 * DOMAINS.index(domain) + LANGS.index(lang) + 50)
    three_turn = set(rng3.sample(sorted(two_turn), round(len(two_turn) * THIRD_TURN_FRACTION)))
    with_caveat = set(rng.sample(range(n), round(n * CAVEAT_RATE[domain])))
    templates = _Cycle(style["templates"], rng)
    followups = _Cycle(style["followups"], rng)
    used_templates: dict[str, set] = {}
    conversational = domain == "general"
    records = []
    two_turn_seen = 0

    for i in range(n):
        slot, round_ = i % n_topics, i // n_topics
        topic = topics[order[slot]]
        sentences = topic["S"]
        split = "heldout" if (7 * slot + 3 * round_) % 20 < HELDOUT_SLOTS else "train"

        # the question: hand-written ones first, templates in between (conversational topics: hand-written only)
        if topic["name"] == "-":
            question = topic["Q"][round_ % len(topic["Q"])]
        elif round_ % 2 == 0 and round_ // 2 < len(topic["Q"]):
            question = topic["Q"][round_ // 2]
        else:
            seen = used_templates.setdefault(topic["key"], set())
            template = templates.next(avoid=seen)
            seen.add(template)
            question = template.format(t=topic["name"])

        length = lengths[i]
        is_two_turn = i in two_turn
        chosen = _pick_sentences("medium" if is_two_turn and length == "long" else length, len(sentences), rng)
        caveat = ""
        if i in with_caveat:
            caveat = style["short_caveat"] if length == "short" and not is_two_turn else _weighted(rng, style["caveats"])
        openers = style["openers"]
        if lang == "en" and length == "short" and not is_two_turn:
            # keep one-sentence English answers (caveat included) under 25 words
            def words(opener, sentences=sentences, caveat=caveat):
                return len(" ".join((opener, sentences[0], caveat)).split())
            openers = tuple(o for o in openers if words(o[0]) < 25) or (min(openers, key=lambda o: words(o[0])),)
        use_opener = not (conversational and topic["name"] == "-")
        opener1 = _weighted(rng, openers) if use_opener else ""

        follow_q, follow_a, opener2 = "", [], ""
        if is_two_turn:
            if two_turn_seen % 2 == 0:                     # the topic's own vague follow-up
                follow_q, follow_a = topic["F"][0], [topic["A"][0]]
            else:                                          # a generic "tell me more" answered from unused sentences
                rest = [s for j, s in enumerate(sentences) if j not in chosen]
                follow_q, follow_a = followups.next(), rest[:rng.choice((1, 2))]
            two_turn_seen += 1
            opener2 = "" if conversational else _weighted(rng, style["openers"])

        third_q, third_a, opener3 = "", [], ""
        if i in three_turn:                                # the other kind of follow-up than the second turn's
            used = set(chosen) | {sentences.index(a) for a in follow_a if a in sentences}
            if follow_q == topic["F"][0]:
                rest = [s for j, s in enumerate(sentences) if j not in used]
                third_q = rng3.choice([f for f in style["followups"] if f != follow_q])
                third_a = rest[:1] or [sentences[-1]]
            else:
                third_q, third_a = topic["F"][0], [topic["A"][0]]
            opener3 = "" if conversational else _weighted(rng3, style["openers"])

        while True:
            first = [sentences[j] for j in chosen]
            if third_q:
                messages = [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": _answer(lang, first, opener1, "")},
                    {"role": "user", "content": follow_q},
                    {"role": "assistant", "content": _answer(lang, follow_a, opener2, "")},
                    {"role": "user", "content": third_q},
                    {"role": "assistant", "content": _answer(lang, third_a, opener3, caveat)},
                ]
            elif is_two_turn:
                messages = [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": _answer(lang, first, opener1, "")},
                    {"role": "user", "content": follow_q},
                    {"role": "assistant", "content": _answer(lang, follow_a, opener2, caveat)},
                ]
            else:
                messages = [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": _answer(lang, first, opener1, caveat)},
                ]
            if sum(len(m["content"]) for m in messages) <= MAX_CHARS:
                break
            if len(chosen) == 1:
                if not third_q:
                    break
                third_q = ""  # still too long with a one-sentence first answer: it stays a two-turn conversation
                continue
            chosen = chosen[:-1]

        records.append({"id": f"{domain}-{lang}-{i + 1:04d}", "domain": domain, "lang": lang,
                        "split": split, "messages": messages})
    return records


# --------------------------------------------------------------------------- checks and output
_FORBIDDEN = re.compile(r"https?:|www\.|\.com\b|[#*`_<>|~\[\]{}\\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0xFE00 <= code <= 0xFE0F


def validate(domain: str, records: list[dict]) -> None:
    """Raise ValueError on any record that breaks the corpus schema or style rules."""
    seen_ids = set()
    all_caveats = {c for s in STYLE.values() for c, _ in s["caveats"]} | {s["short_caveat"] for s in STYLE.values()}
    all_caveats.discard("")

    def need(ok: bool, rid: str, what: str) -> None:
        if not ok:
            raise ValueError(f"{rid}: {what}")

    for rec in records:
        rid = rec.get("id", "?")
        need(list(rec) == ["id", "domain", "lang", "split", "messages"], rid, "keys")
        need(rec["domain"] == domain and rec["lang"] in LANGS and rec["split"] in ("train", "heldout"), rid, "fields")
        need(rid.startswith(f"{domain}-{rec['lang']}-") and rid not in seen_ids, rid, "id")
        seen_ids.add(rid)
        messages = rec["messages"]
        need(len(messages) in (2, 4, 6), rid, "turn count")
        openers = tuple(o for o, _ in STYLE[(domain, rec["lang"])]["openers"] if o)
        for k, msg in enumerate(messages):
            text = msg.get("content", "")
            need(list(msg) == ["role", "content"], rid, "message keys")
            need(msg["role"] == ("user" if k % 2 == 0 else "assistant"), rid, "roles must alternate")
            need(bool(text) and text == text.strip() and "\n" not in text, rid, "empty or multi-line content")
            need(not _FORBIDDEN.search(text) and not any(_is_emoji(c) for c in text), rid, "markup, URL or emoji")
            need(bool(_CJK.search(text)) == (rec["lang"] == "zh"), rid, "language mismatch")
            if msg["role"] == "assistant" and domain != "general":
                need(text.startswith(openers), rid, "assistant answer lacks a domain opener")
            if domain == "general":
                need(not any(c in text for c in all_caveats), rid, "general answers carry no disclaimer")
        need(sum(len(m["content"]) for m in messages) <= MAX_CHARS, rid, "conversation too long")


def render(records: list[dict]) -> str:
    return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check_only = "--check" in args
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ok = True
    for domain in DOMAINS:
        records = [rec for lang in LANGS for rec in build_records(domain, lang)]
        validate(domain, records)
        text = render(records)
        path = OUT_DIR / f"{domain}.jsonl"
        counts = {(lang, split): sum(1 for r in records if r["lang"] == lang and r["split"] == split)
                  for lang in LANGS for split in ("train", "heldout")}
        summary = ", ".join(f"{lang}/{split}={count}" for (lang, split), count in counts.items())
        if check_only:
            same = path.exists() and path.read_text(encoding="utf-8") == text
            ok = ok and same
            print(f"{'up to date' if same else 'OUT OF DATE'}: {path.name} ({len(records)} records)")
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            print(f"wrote {path.name}: {len(records)} records ({summary})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
